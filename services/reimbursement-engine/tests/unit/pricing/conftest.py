"""Fixtures for the pricing domain tests: the CMS CY2025 files from the shared reference data.

CMS Medicare Physician Fee Schedule CY2025 (RVU25D), US government work, via ../shared/data.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from reimbursement_engine.adapters.medicare_files import load_medicare_year
from reimbursement_engine.domain.pricing import MedicareReference, MedicareYear

REPO_ROOT = Path(__file__).resolve().parents[5]
# The workspace runs pytest with --import-mode=importlib, which does not put test folders on
# sys.path; the tests here share `pricing_builders`, so this folder is added once.
if str(Path(__file__).parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).parent))


def shared_data_dir() -> Path:
    """ACCORD_SHARED_DATA, else the repository root's sibling ../shared/data."""
    configured = os.environ.get("ACCORD_SHARED_DATA")
    return Path(configured) if configured else (REPO_ROOT / ".." / "shared" / "data").resolve()


CMS_PFS_2025 = shared_data_dir() / "cms-pfs-2025"


@pytest.fixture(scope="session")
def cms_2025() -> MedicareYear:
    if not (CMS_PFS_2025 / "pprrvu2025_oct.csv").exists():
        pytest.fail(f"CMS CY2025 files not found in {CMS_PFS_2025} (set ACCORD_SHARED_DATA)")
    return load_medicare_year(CMS_PFS_2025, 2025)


@pytest.fixture(scope="session")
def medicare(cms_2025: MedicareYear) -> MedicareReference:
    return MedicareReference(years={2025: cms_2025})
