"""Read a CMS physician fee schedule release folder into a MedicareYear: PPRRVU and GPCI CSVs,
and when present the anesthesia conversion factors and the OPPS caps."""

from __future__ import annotations

from pathlib import Path

from reimbursement_engine.domain.pricing.medicare import MedicareYear
from reimbursement_engine.domain.pricing.medicare_files import (
    AnesthesiaFactors,
    MedicareFileError,
    medicare_year,
    parse_anesthesia,
    parse_gpci,
    parse_opps_caps,
    parse_pprrvu,
)

PPRRVU_FILE = "pprrvu{year}_oct.csv"
GPCI_FILE = "gpci{year}.csv"
ANESTHESIA_FILE = "anes{year}.csv"
OPPS_CAP_FILE = "oppscap{year}_oct.csv"


def load_medicare_year(directory: Path, year: int) -> MedicareYear:
    """Load `pprrvu<year>_oct.csv` and `gpci<year>.csv` from a CMS release folder, with
    `anes<year>.csv` and `oppscap<year>_oct.csv` when the folder has them."""
    rvu_path = directory / PPRRVU_FILE.format(year=year)
    gpci_path = directory / GPCI_FILE.format(year=year)
    with rvu_path.open(newline="", encoding="utf-8-sig") as rvu_file:
        rvus = list(parse_pprrvu(rvu_file))
    with gpci_path.open(newline="", encoding="utf-8-sig") as gpci_file:
        gpcis = list(parse_gpci(gpci_file))
    if not gpcis:
        raise MedicareFileError(f"{gpci_path} has no locality rows")
    anesthesia: AnesthesiaFactors | None = None
    if (anes_path := directory / ANESTHESIA_FILE.format(year=year)).exists():
        with anes_path.open(newline="", encoding="utf-8-sig", errors="replace") as anes_file:
            anesthesia = parse_anesthesia(anes_file)
    caps = []
    if (caps_path := directory / OPPS_CAP_FILE.format(year=year)).exists():
        with caps_path.open(newline="", encoding="utf-8-sig") as caps_file:
            caps = list(parse_opps_caps(caps_file))
    return medicare_year(year, rvus, gpcis, caps, anesthesia)
