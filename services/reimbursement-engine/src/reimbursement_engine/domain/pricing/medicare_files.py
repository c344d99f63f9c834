"""Parsers for the CMS physician fee schedule files (RVU25D release: PPRRVU, GPCI, anesthesia
conversion factor and OPPS cap CSVs).

The parsers take any text stream; `adapters.medicare_files` opens the files of a release folder.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TextIO

from .medicare import Gpci, LocalityKey, MedicareYear, OppsCap, RvuRow

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


_NATIONAL_CF = re.compile(r"National Anes CF of\s*([0-9]+(?:\.[0-9]+)?)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class AnesthesiaFactors:
    """anes<year>.csv: the national anesthesia conversion factor (from its header) and each
    locality's, with the locality name."""

    national: Decimal | None
    by_locality: dict[LocalityKey, tuple[str, Decimal]]


def parse_anesthesia(stream: TextIO) -> AnesthesiaFactors:
    """Header `Contractor,Locality,Locality Name,National Anes CF of 20.3178`, then one row per
    locality (values padded with spaces)."""
    reader = csv.reader(stream)
    header = next(reader, [])
    match = _NATIONAL_CF.search(",".join(header))
    national = Decimal(match.group(1)) if match else None
    factors: dict[LocalityKey, tuple[str, Decimal]] = {}
    for number, row in enumerate(reader, start=2):
        if len(row) < 4 or not row[0].strip().isdigit():
            continue
        key = LocalityKey(row[0].strip(), row[1].strip().zfill(2))
        factors[key] = (row[2].strip(), _decimal(row[3], f"anesthesia line {number}"))
    if not factors:
        raise MedicareFileError("anesthesia file has no locality rows")
    return AnesthesiaFactors(national, factors)


_CAP_COLUMNS = ("HCPCS", "MOD", "CARRIER", "LOCALITY", "FACILITY PRICE")


def parse_opps_caps(stream: TextIO) -> Iterator[tuple[str, str, LocalityKey, OppsCap]]:
    """oppscap<year>_oct.csv: HCPCS, MOD, PROCSTAT, CARRIER, LOCALITY, FACILITY PRICE and the
    non-facility price (CMS spells the header NON-FACILTY PRICE)."""
    reader = csv.DictReader(stream)
    names = [name.strip() for name in reader.fieldnames or ()]
    non_facility = next((n for n in names if n.startswith("NON-FAC")), None)
    missing = [c for c in _CAP_COLUMNS if c not in names] + ([] if non_facility else ["NON-FACILITY PRICE"])
    if missing or non_facility is None:
        raise MedicareFileError(f"OPPS cap file lacks columns {missing}")
    for number, raw in enumerate(reader, start=2):
        row = {k.strip(): (v or "").strip() for k, v in raw.items() if k is not None}
        if not row["HCPCS"]:
            continue
        where = f"OPPS cap line {number} ({row['HCPCS']})"
        cap = OppsCap(_decimal(row["FACILITY PRICE"], where), _decimal(row[non_facility], where))
        yield row["HCPCS"], row["MOD"], LocalityKey(row["CARRIER"], row["LOCALITY"].zfill(2)), cap


def medicare_year(
    year: int,
    rvus: Iterable[RvuRow],
    gpcis: Iterable[Gpci],
    opps_caps: Iterable[tuple[str, str, LocalityKey, OppsCap]] = (),
    anesthesia: AnesthesiaFactors | None = None,
) -> MedicareYear:
    """Index parsed rows by (HCPCS, modifier), by locality and by (HCPCS, modifier, locality)."""
    return MedicareYear(
        year=year,
        rvus={(r.hcpcs, r.modifier): r for r in rvus},
        gpcis={g.locality: g for g in gpcis},
        opps_caps={(hcpcs, modifier, locality): cap for hcpcs, modifier, locality, cap in opps_caps},
        anesthesia_cfs={} if anesthesia is None else {k: v[1] for k, v in anesthesia.by_locality.items()},
        anesthesia_national_cf=None if anesthesia is None else anesthesia.national,
    )
