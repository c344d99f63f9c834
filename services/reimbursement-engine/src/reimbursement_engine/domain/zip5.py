"""CMS's ZIP-to-locality file (ZIP5, quarterly): ZIP code -> state, carrier (MAC), locality and
rural indicator (RURAL IND: blank urban, R rural, B super rural; what DMEPOS rural amounts follow)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TextIO

from .pricing.medicare import LocalityKey

_COLUMNS = ("STATE", "ZIP CODE", "CARRIER", "LOCALITY", "RURAL IND", "YEAR/QTR")
RURAL_INDICATORS = frozenset({"", "R", "B"})


@dataclass(frozen=True, slots=True)
class ZipLocality:
    zip_code: str
    state: str
    locality: LocalityKey
    year_quarter: str
    rural_indicator: str = ""  # "" urban, "R" rural, "B" super rural


def parse_zip5(stream: TextIO) -> Iterator[ZipLocality]:
    """Rows of the CSV edition (header STATE,ZIP CODE,CARRIER,LOCALITY,RURAL IND,...,YEAR/QTR);
    ValueError names the first row that is not a 5-digit ZIP with a 5-digit carrier, a locality
    and a rural indicator of blank, R or B."""
    reader = csv.DictReader(stream)
    missing = [c for c in _COLUMNS if c not in (reader.fieldnames or ())]
    if missing:
        raise ValueError(f"not a CMS ZIP5 file: missing column(s) {', '.join(missing)}")
    for number, row in enumerate(reader, 2):
        zip_code, carrier = row["ZIP CODE"].strip(), row["CARRIER"].strip()
        locality = row["LOCALITY"].strip().zfill(2)
        if not (zip_code.isdigit() and len(zip_code) == 5 and carrier.isdigit() and len(carrier) == 5):
            raise ValueError(f"row {number}: ZIP {zip_code!r} / carrier {carrier!r} is not 5 digits")
        if not (locality.isdigit() and len(locality) == 2):
            raise ValueError(f"row {number}: locality {row['LOCALITY']!r} is not 2 digits")
        rural = (row["RURAL IND"] or "").strip().upper()
        if rural not in RURAL_INDICATORS:
            raise ValueError(f"row {number}: RURAL IND {row['RURAL IND']!r} is not blank, R or B")
        yield ZipLocality(
            zip_code,
            row["STATE"].strip(),
            LocalityKey(carrier, locality),
            row["YEAR/QTR"].strip(),
            rural,
        )
