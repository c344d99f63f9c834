"""The registry's unit tests share builders in registry_factories.py.

The workspace runs pytest with --import-mode=importlib, which does not put test folders on
sys.path; this folder is added so `from registry_factories import ...` works.
"""

import sys
from pathlib import Path

_HERE = str(Path(__file__).parent)
_SHARED = str(Path(__file__).parents[1])  # tic_examples.py, shared by unit and integration tests
for _folder in (_SHARED, _HERE):
    if _folder not in sys.path:
        sys.path.insert(0, _folder)
