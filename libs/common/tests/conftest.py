"""libs/common's tests share the bulk-update case (common_bulk_update_case.py) between the SQLite
and the PostgreSQL test. The workspace runs pytest with --import-mode=importlib, which does not put
test folders on sys.path; this folder is added so the case imports by name."""

import sys
from pathlib import Path

_HERE = str(Path(__file__).parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)
