"""Parsers for the CMS physician fee schedule files as CMS publishes them: PPRRVU (the RVU25D
one-line header and the RVU26 title rows with a header spread over four rows), GPCI (Addendum E,
with the work GPCI with and without the 1.0 floor from CY2026), anesthesia conversion factors
(one national factor, or qualifying / non-qualifying APM from CY2026) and OPPS caps.

The parsers take any text stream. `read_*` answer the rows with a report of rows read and
refused (for loaders); `parse_*` stop at the first bad row. `adapters.medicare_files` opens the
files of a release folder.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TextIO

from .medicare import Gpci, LocalityKey, MedicareYear, OppsCap, RvuRow

# canonical column -> the names CMS gives it (normalised: upper case, "_" and "-" as spaces)
_RVU_ALIASES = {
    "HCPCS": ("HCPCS",),
    "MOD": ("MOD",),
    "STATUS": ("STATUS CODE",),
    "WORK": ("WORK RVU",),
    "PE_NF": ("NON FAC PE RVU",),
    "PE_F": ("FAC PE RVU", "FACILITY PE RVU"),
    "MP": ("MP RVU",),
    "NF_NA": ("NON FAC NA IND", "NON FAC NA INDICATOR"),
    "F_NA": ("FAC NA IND", "FACILITY NA INDICATOR"),
    "MULT_PROC": ("MULT PROC",),
    "BILAT": ("BILAT SURG",),
    "ASST": ("ASST SURG",),
    "CO": ("CO SURG",),
    "CF": ("CONV FACTOR",),
}
_RVU_REQUIRED = ("HCPCS", "MOD", "STATUS", "WORK", "PE_NF", "PE_F", "MP")


class MedicareFileError(ValueError):
    """A CMS file that does not have the expected shape."""


@dataclass(frozen=True, slots=True)
class FileReport:
    """What a loader made of one file: data rows read, and each refused row with the reason."""

    file: str
    read: int
    refused: tuple[str, ...] = ()

    def __str__(self) -> str:
        text = f"{self.file}: {self.read} rows read, {len(self.refused)} refused"
        return text + "".join(f"\n  {reason}" for reason in self.refused[:20])


@dataclass(frozen=True, slots=True)
class RvuFile:
    rows: tuple[RvuRow, ...]
    report: FileReport
    conversion_factor: Decimal | None  # the CONV FACTOR the file states on its priced rows


def _decimal(text: str, where: str) -> Decimal:
    try:
        return Decimal(text.strip() or "0")
    except InvalidOperation:
        raise MedicareFileError(f"{where}: {text!r} is not a number") from None


def _normal(name: str) -> str:
    return " ".join(name.upper().replace("_", " ").replace("-", " ").split())


def _rvu_columns(reader: Iterator[list[str]]) -> tuple[dict[str, int], int]:
    """Column positions by canonical name, and the number of lines read up to the header."""
    above: list[list[str]] = []
    for number, row in enumerate(reader, start=1):
        if row and row[0].strip().upper() == "HCPCS":
            stacked = [*above[-3:], row]
            names = [
                " ".join(r[j].strip() for r in stacked if j < len(r) and r[j].strip())
                for j in range(len(row))
            ]
            if any(_normal(n) == "STATUS CODE" for n in row):
                names = row
            normal = [_normal(n) for n in names]
            found = {
                key: normal.index(a) for key, aliases in _RVU_ALIASES.items() for a in aliases if a in normal
            }
            missing = [key for key in _RVU_REQUIRED if key not in found]
            if missing:
                raise MedicareFileError(f"PPRRVU file lacks columns {missing}")
            return found, number
        above.append(row)
    raise MedicareFileError("PPRRVU file lacks columns (no header row starting with HCPCS)")


def _rvu_row(cells: Sequence[str], col: dict[str, int], where: str) -> RvuRow:
    def cell(key: str, default: str = "") -> str:
        j = col.get(key)
        return cells[j].strip() if j is not None and j < len(cells) else default

    return RvuRow(
        hcpcs=cell("HCPCS"),
        modifier=cell("MOD"),
        status=cell("STATUS"),
        work=_decimal(cell("WORK"), where),
        pe_non_facility=_decimal(cell("PE_NF"), where),
        pe_facility=_decimal(cell("PE_F"), where),
        mp=_decimal(cell("MP"), where),
        mult_proc=cell("MULT_PROC") or "0",
        non_facility_na=cell("NF_NA") == "NA",
        facility_na=cell("F_NA") == "NA",
        bilat_surg=cell("BILAT"),
        asst_surg=cell("ASST"),
        co_surg=cell("CO"),
    )


def _rvu_lines(stream: TextIO) -> Iterator[tuple[int, list[str], dict[str, int]]]:
    reader = csv.reader(stream)
    col, start = _rvu_columns(reader)
    for number, cells in enumerate(reader, start=start + 1):
        if cells and cells[col["HCPCS"]].strip():
            yield number, cells, col


def parse_pprrvu(stream: TextIO) -> Iterator[RvuRow]:
    """Rows of the PPRRVU CSV; MedicareFileError names the first row that is not a number."""
    for number, cells, col in _rvu_lines(stream):
        yield _rvu_row(cells, col, f"PPRRVU line {number} ({cells[col['HCPCS']].strip()})")


def read_pprrvu(stream: TextIO, file: str = "PPRRVU") -> RvuFile:
    """The PPRRVU rows, the conversion factor the file states, and a report (bad rows refused)."""
    rows: list[RvuRow] = []
    refused: list[str] = []
    factors: dict[str, int] = {}
    for number, cells, col in _rvu_lines(stream):
        try:
            rows.append(_rvu_row(cells, col, f"line {number} ({cells[col['HCPCS']].strip()})"))
        except MedicareFileError as exc:
            refused.append(str(exc))
            continue
        if "CF" in col and rows[-1].payable and (cf := cells[col["CF"]].strip()):
            factors[cf] = factors.get(cf, 0) + 1
    stated = max(factors, key=lambda cf: factors[cf]) if factors else None
    report = FileReport(file, len(rows) + len(refused), tuple(refused))
    return RvuFile(tuple(rows), report, None if stated is None else Decimal(stated))


def _gpci_layout(row: list[str]) -> tuple[int, int, int, int | None] | None:
    """(work, pe, mp, work without floor) columns from a header row naming the GPCIs."""
    names = [_normal(c) for c in row]
    if not any("PW GPCI" in n for n in names):
        return None
    floored = next((j for j, n in enumerate(names) if "PW GPCI" in n and "WITH 1.0" in n), None)
    bare = next((j for j, n in enumerate(names) if "PW GPCI" in n and "WITHOUT" in n), None)
    work = floored if floored is not None else next(j for j, n in enumerate(names) if "PW GPCI" in n)
    pe = next(j for j, n in enumerate(names) if "PE GPCI" in n)
    mp = next(j for j, n in enumerate(names) if "MP GPCI" in n)
    return work, pe, mp, bare


def _gpci_lines(stream: TextIO) -> Iterator[tuple[int, list[str], tuple[int, int, int, int | None]]]:
    layout: tuple[int, int, int, int | None] = (4, 5, 6, None)
    for number, row in enumerate(csv.reader(stream), start=1):
        header = _gpci_layout(row)
        if header is not None:
            layout = header
        elif len(row) >= 7 and row[0].strip().isdigit():
            yield number, row, layout


def _gpci(row: list[str], layout: tuple[int, int, int, int | None], where: str) -> Gpci:
    work, pe, mp, bare = layout
    return Gpci(
        locality=LocalityKey(row[0].strip(), row[2].strip().zfill(2)),
        name=row[3].strip(),
        state=row[1].strip(),
        work=_decimal(row[work], where),
        pe=_decimal(row[pe], where),
        mp=_decimal(row[mp], where),
        work_without_floor=None if bare is None else _decimal(row[bare], where),
    )


def parse_gpci(stream: TextIO) -> Iterator[Gpci]:
    """Rows of the GPCI CSV: preamble lines and footnotes are skipped (data rows start with a MAC).
    With both work GPCIs (CY2026) the floored one prices and the other is kept for the explanation."""
    for number, row, layout in _gpci_lines(stream):
        yield _gpci(row, layout, f"GPCI line {number}")


def read_gpci(stream: TextIO, file: str = "GPCI") -> tuple[tuple[Gpci, ...], FileReport]:
    rows: list[Gpci] = []
    refused: list[str] = []
    for number, row, layout in _gpci_lines(stream):
        try:
            rows.append(_gpci(row, layout, f"line {number}"))
        except MedicareFileError as exc:
            refused.append(str(exc))
    return tuple(rows), FileReport(file, len(rows) + len(refused), tuple(refused))


_NATIONAL_CF = re.compile(r"National Anes CF.*?of\s*([0-9]+(?:\.[0-9]+)?)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class AnesthesiaFactors:
    """anes<year>.csv: the national anesthesia conversion factor (from its header) and each
    locality's, with the locality name."""

    national: Decimal | None
    by_locality: dict[LocalityKey, tuple[str, Decimal]]
    report: FileReport | None = None


def _anesthesia_column(header: list[str]) -> int:
    """The factor column: the only one (to CY2025), else the non-qualifying APM one (CY2026),
    matching the non-qualifying conversion factor the engine prices with."""
    for j, name in enumerate(header):
        if "NON QUALIFYING" in _normal(name):
            return j
    return 3


def parse_anesthesia(stream: TextIO, file: str = "anesthesia") -> AnesthesiaFactors:
    """Header `Contractor,Locality,Locality Name,National Anes CF of 20.3178` (CY2026: a qualifying
    and a non-qualifying APM column), then one row per locality (values padded with spaces)."""
    reader = csv.reader(stream)
    header = next(reader, [])
    column = _anesthesia_column(header)
    match = _NATIONAL_CF.search(header[column]) if column < len(header) else None
    national = Decimal(match.group(1)) if match else None
    factors: dict[LocalityKey, tuple[str, Decimal]] = {}
    read = 0
    for number, row in enumerate(reader, start=2):
        if len(row) <= column or not row[0].strip().isdigit():
            continue
        read += 1
        key = LocalityKey(row[0].strip(), row[1].strip().zfill(2))
        factors[key] = (row[2].strip(), _decimal(row[column], f"anesthesia line {number}"))
    if not factors:
        raise MedicareFileError("anesthesia file has no locality rows")
    return AnesthesiaFactors(national, factors, FileReport(file, read))


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
