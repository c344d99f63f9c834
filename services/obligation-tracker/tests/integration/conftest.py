"""The tracker's integration tests share the harness in tracker_harness.py.

The workspace runs pytest with --import-mode=importlib, which does not put test folders on
sys.path; this folder is added so `from tracker_harness import ...` works.
"""

import sys
from pathlib import Path

_HERE = str(Path(__file__).parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)
