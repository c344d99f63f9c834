"""Read a CMS physician fee schedule release folder (PPRRVU and GPCI CSVs) into a MedicareYear."""

from __future__ import annotations

from pathlib import Path

from reimbursement_engine.domain.pricing.medicare import MedicareYear
from reimbursement_engine.domain.pricing.medicare_files import (
    MedicareFileError,
    medicare_year,
    parse_gpci,
    parse_pprrvu,
)

PPRRVU_FILE = "pprrvu{year}_oct.csv"
GPCI_FILE = "gpci{year}.csv"


def load_medicare_year(directory: Path, year: int) -> MedicareYear:
    """Load `pprrvu<year>_oct.csv` and `gpci<year>.csv` from a CMS release folder."""
    rvu_path = directory / PPRRVU_FILE.format(year=year)
    gpci_path = directory / GPCI_FILE.format(year=year)
    with rvu_path.open(newline="", encoding="utf-8-sig") as rvu_file:
        rvus = list(parse_pprrvu(rvu_file))
    with gpci_path.open(newline="", encoding="utf-8-sig") as gpci_file:
        gpcis = list(parse_gpci(gpci_file))
    if not gpcis:
        raise MedicareFileError(f"{gpci_path} has no locality rows")
    return medicare_year(year, rvus, gpcis)
