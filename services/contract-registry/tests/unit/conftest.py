"""The registry's unit tests share builders in registry_factories.py.

The workspace runs pytest with --import-mode=importlib, which does not put test folders on
sys.path; this folder is added so `from registry_factories import ...` works.
"""

import sys
from pathlib import Path

_HERE = str(Path(__file__).parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)
