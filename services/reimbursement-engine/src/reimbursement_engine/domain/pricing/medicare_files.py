"""Parsers for the CMS physician fee schedule files (RVU25D release: PPRRVU and GPCI CSVs).

The parsers take any text stream; `adapters.medicare_files` opens the files of a release folder.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from decimal import Decimal, InvalidOperation
from typing import TextIO

from .medicare import Gpci, LocalityKey, MedicareYear, RvuRow

_RVU_COLUMNS = ("HCPCS", "MOD", "STATUS_CODE", "WORK_RVU", "NON_FAC_PE_RVU", "FAC_PE_RVU", "MP_RVU")


class MedicareFileError(ValueError):
    """A CMS file that does not have the expected shape."""


def _decimal(text: str, where: str) -> Decimal:
    try:
        return Decimal(text.strip() or "0")
    except InvalidOperation:
        raise MedicareFileError(f"{where}: {text!r} is not a number") from None


def parse_pprrvu(stream: TextIO) -> Iterator[RvuRow]:
    """Rows of the PPRRVU CSV (header line with HCPCS, MOD, STATUS_CODE, ... columns)."""
    reader = csv.DictReader(stream)
    missing = [c for c in _RVU_COLUMNS if c not in (reader.fieldnames or ())]
    if missing:
        raise MedicareFileError(f"PPRRVU file lacks columns {missing}")
    for number, row in enumerate(reader, start=2):
        hcpcs = row["HCPCS"].strip()
        if not hcpcs:
            continue
        where = f"PPRRVU line {number} ({hcpcs})"
        yield RvuRow(
            hcpcs=hcpcs,
            modifier=row["MOD"].strip(),
            status=row["STATUS_CODE"].strip(),
            work=_decimal(row["WORK_RVU"], where),
            pe_non_facility=_decimal(row["NON_FAC_PE_RVU"], where),
            pe_facility=_decimal(row["FAC_PE_RVU"], where),
            mp=_decimal(row["MP_RVU"], where),
            mult_proc=(row.get("MULT_PROC") or "0").strip(),
            non_facility_na=(row.get("NON_FAC_NA_IND") or "").strip() == "NA",
            facility_na=(row.get("FAC_NA_IND") or "").strip() == "NA",
        )


def parse_gpci(stream: TextIO) -> Iterator[Gpci]:
    """Rows of the GPCI CSV: preamble lines and footnotes are skipped (data rows start with a MAC)."""
    for number, row in enumerate(csv.reader(stream), start=1):
        if len(row) < 7 or not row[0].strip().isdigit():
            continue
        where = f"GPCI line {number}"
        yield Gpci(
            locality=LocalityKey(row[0].strip(), row[2].strip().zfill(2)),
            name=row[3].strip(),
            state=row[1].strip(),
            work=_decimal(row[4], where),
            pe=_decimal(row[5], where),
            mp=_decimal(row[6], where),
        )


def medicare_year(year: int, rvus: Iterable[RvuRow], gpcis: Iterable[Gpci]) -> MedicareYear:
    """Index parsed rows by (HCPCS, modifier) and by locality."""
    return MedicareYear(
        year=year,
        rvus={(r.hcpcs, r.modifier): r for r in rvus},
        gpcis={g.locality: g for g in gpcis},
    )
