"""Fee schedule CSV: a streaming, row-by-row validator and the matching export.

Columns (header row required, any order, names as below; empty cell = not stated):

===================  ========  ==============================================================
column               required  content
===================  ========  ==============================================================
code_system          yes       CPT, HCPCS, REV, MSDRG or APC (aliases: RC, MS-DRG)
code                 yes       99213, 0001T, J1885, 0450, 470, 5012; leading zeros a
                               spreadsheet dropped are restored for REV, MSDRG, APC (450 -> 0450)
modifiers            no        up to four 2-character modifiers separated by ":" (26:59)
place_of_service     no        CMS two-digit place-of-service code (11 office, 22 outpatient)
setting              no        facility or non_facility
unit                 no        unit (default), day (per_diem rows) or case (case_rate rows)
rate_kind            yes       amount, percent_of_medicare, percent_of_charges, per_diem,
                               case_rate
amount               *         dollars, e.g. 88.95 (amount, per_diem, case_rate rows)
percentage           *         whole-number percent, e.g. 150 = 150% (percent_of_* rows)
effective_from       yes       first day the rate applies, YYYY-MM-DD
effective_to         no        last day the rate applies (inclusive), YYYY-MM-DD; empty =
                               open-ended
===================  ========  ==============================================================

Row numbers in errors are as a spreadsheet shows them: the header is row 1, the first rate row 2.

The validator is a generator: it holds one row at a time plus an 8-byte fingerprint per key (to
refuse duplicates) and at most `max_errors` errors, so 100,000 rows take flat memory. The caller
decides where accepted rows go (a staging table, a list) and, under the default all-or-nothing
policy, keeps them only if `report.committable` is true once the generator is exhausted.
Overlapping date ranges for the same code are refused when the rows are built into a FeeSchedule.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import Enum, StrEnum
from typing import Any, TypeVar

from .codes import CodeSystem, Setting
from .errors import InvalidField
from .fee_schedule import BillingUnit, FeeScheduleRow, RateKind
from .validation import PLAIN_DECIMAL

COLUMNS = (
    "code_system",
    "code",
    "modifiers",
    "place_of_service",
    "setting",
    "unit",
    "rate_kind",
    "amount",
    "percentage",
    "effective_from",
    "effective_to",
)
REQUIRED_COLUMNS = frozenset({"code_system", "code", "rate_kind", "effective_from"})
_CODE_SYSTEM_ALIASES = {"RC": "REV", "REVENUE": "REV", "MS-DRG": "MSDRG", "DRG": "MSDRG"}
# Every revenue code, MS-DRG and APC is written with leading zeros, so restoring them is safe;
# CPT is not padded: a 4-digit CPT is as likely a typo as a dropped zero.
_NUMERIC_CODE_WIDTH = {CodeSystem.REV: 4, CodeSystem.MSDRG: 3, CodeSystem.APC: 4}

E = TypeVar("E", bound=Enum)


class ImportPolicy(StrEnum):
    """All or nothing (default): one bad row refuses the file. Skip: keep the good rows."""

    ALL_OR_NOTHING = "all_or_nothing"
    SKIP_INVALID_ROWS = "skip_invalid_rows"


@dataclass(frozen=True, slots=True)
class RowError:
    """One refused cell: spreadsheet row number, column name and why."""

    row_number: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row_number}, {self.column}: {self.message}"


@dataclass(slots=True)
class CsvImportReport:
    """What the validator found; filled in while the caller consumes the rows."""

    policy: ImportPolicy = ImportPolicy.ALL_OR_NOTHING
    max_errors: int = 1000
    rows_read: int = 0
    rows_accepted: int = 0
    error_count: int = 0
    errors: list[RowError] = field(default_factory=list)
    header_ok: bool = True
    unreadable: bool = False
    """A line the CSV reader could not split (a bare carriage return in an unquoted field ...)."""

    def record(self, error: RowError) -> None:
        self.error_count += 1
        if len(self.errors) < self.max_errors:
            self.errors.append(error)

    @property
    def committable(self) -> bool:
        """True when the caller may keep the rows it received."""
        if not self.header_ok or self.unreadable:
            return False
        return self.policy is ImportPolicy.SKIP_INVALID_ROWS or self.error_count == 0


def read_fee_schedule_csv(lines: Iterable[str], report: CsvImportReport) -> Iterator[FeeScheduleRow]:
    """Yield each valid row of a fee schedule CSV; record refused cells in `report`."""
    for _, row in read_numbered_fee_schedule_csv(lines, report):
        yield row


def read_numbered_fee_schedule_csv(
    lines: Iterable[str], report: CsvImportReport
) -> Iterator[tuple[int, FeeScheduleRow]]:
    """Yield (spreadsheet row number, row) for each valid row; record refused cells in `report`.

    `lines` is any iterable of text lines (an open text file, `codecs.iterdecode(stream,
    "utf-8-sig")` over bytes). Under all-or-nothing, rows stop being yielded after the first
    error, but every row is still checked so the report lists all errors.
    """
    reader = _readable(csv.reader(lines), report)
    header = next(reader, None)
    columns = _check_header(header, report)
    if columns is None:
        return
    seen: dict[int, int] = {}
    for row_number, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        report.rows_read += 1
        row = _parse_row(row_number, columns, cells, report)
        if row is None or not _first_of_its_key(row, row_number, seen, report):
            continue
        if report.policy is ImportPolicy.ALL_OR_NOTHING and report.error_count:
            continue
        report.rows_accepted += 1
        yield row_number, row


def _readable(reader: Any, report: CsvImportReport) -> Iterator[list[str]]:
    """The reader's rows until a line it cannot split: recorded (row number, "row") and the import
    refused, since no row after it can be trusted."""
    try:
        yield from reader
    except csv.Error as unreadable:
        report.unreadable = True
        report.record(RowError(reader.line_num, "row", f"not a CSV row: {unreadable}"))


def _check_header(header: list[str] | None, report: CsvImportReport) -> list[str] | None:
    if header is None or not any(cell.strip() for cell in header):
        report.header_ok = False
        report.record(RowError(1, "header", "the file is empty: expected a header row"))
        return None
    columns = [name.strip().lstrip("\ufeff").lower() for name in header]
    problems = [f"missing required column {name}" for name in sorted(REQUIRED_COLUMNS - set(columns))]
    problems += [f"unknown column {name!r}" for name in columns if name not in COLUMNS]
    problems += [f"column {name} appears twice" for name in set(columns) if columns.count(name) > 1]
    for problem in problems:
        report.record(RowError(1, "header", problem))
    report.header_ok = not problems
    return columns if not problems else None


class _CellError(Exception):
    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column
        self.message = message


def _parse_row(
    row_number: int, columns: list[str], cells: list[str], report: CsvImportReport
) -> FeeScheduleRow | None:
    if len(cells) > len(columns):
        report.record(RowError(row_number, "row", f"{len(cells)} cells for {len(columns)} columns"))
        return None
    values = {name: cell.strip() for name, cell in zip(columns, cells, strict=False)}
    errors: list[RowError] = []
    fields = _parse_cells(row_number, values, errors)
    for error in errors:
        report.record(error)
    if errors:
        return None
    try:
        return FeeScheduleRow(**fields)  # type: ignore[arg-type]
    except InvalidField as refused:
        report.record(RowError(row_number, refused.field, refused.message))
        return None


_CELL_PARSERS: dict[str, Callable[[str], object]] = {
    "code_system": lambda text: _code_system(text),
    "modifiers": lambda text: _modifiers(text),
    "place_of_service": lambda text: text or None,
    "setting": lambda text: _enum(Setting, "setting", text) if text else None,
    "unit": lambda text: _enum(BillingUnit, "unit", text) if text else BillingUnit.UNIT,
    "rate_kind": lambda text: _enum(RateKind, "rate_kind", text),
    "amount": lambda text: _decimal("amount", text),
    "percentage": lambda text: _decimal("percentage", text),
    "effective_from": lambda text: _date("effective_from", text, required=True),
    "effective_to": lambda text: _date("effective_to", text, required=False),
}


def _parse_cells(row_number: int, values: dict[str, str], errors: list[RowError]) -> dict[str, object]:
    fields: dict[str, object] = {}
    for column, parse in _CELL_PARSERS.items():
        try:
            fields[column] = parse(values.get(column, ""))
        except _CellError as refused:
            errors.append(RowError(row_number, refused.column, refused.message))
    fields["code"] = _code(fields.get("code_system"), values.get("code", ""), row_number, errors)
    return fields


def _code(system: object, text: str, row_number: int, errors: list[RowError]) -> str:
    code = text.upper()
    if not code:
        errors.append(RowError(row_number, "code", "required"))
    width = _NUMERIC_CODE_WIDTH.get(system) if isinstance(system, CodeSystem) else None
    if width and code.isdigit() and len(code) < width:
        code = code.zfill(width)  # a spreadsheet turned 0450 into 450
    return code


def _code_system(text: str) -> CodeSystem:
    upper = text.upper()
    return _enum(CodeSystem, "code_system", _CODE_SYSTEM_ALIASES.get(upper, upper))


def _modifiers(text: str) -> tuple[str, ...]:
    modifiers = tuple(part.strip().upper() for part in text.split(":")) if text else ()
    if len(modifiers) > 4:
        raise _CellError("modifiers", f"at most 4 modifiers, got {len(modifiers)}")
    return modifiers


def _enum(kind: type[E], column: str, text: str) -> E:
    if not text:
        raise _CellError(column, "required")
    for member in kind:
        if member.value.lower() == text.lower():
            return member
    allowed = ", ".join(str(member.value) for member in kind)
    raise _CellError(column, f"{text!r} is not one of {allowed}")


def _decimal(column: str, text: str) -> Decimal | None:
    if not text:
        return None
    if not PLAIN_DECIMAL.fullmatch(text):
        raise _CellError(column, f"{text[:40]!r} is not a number (write 1200.00, no $ or commas)")
    return Decimal(text)


def _date(column: str, text: str, *, required: bool) -> date | None:
    if not text:
        if required:
            raise _CellError(column, "required")
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise _CellError(column, f"{text!r} is not a date in YYYY-MM-DD form")


def _first_of_its_key(
    row: FeeScheduleRow, row_number: int, seen: dict[int, int], report: CsvImportReport
) -> bool:
    fingerprint = int.from_bytes(
        hashlib.blake2b(repr(row.key).encode("utf-8"), digest_size=8).digest(), "big"
    )
    first_row = seen.setdefault(fingerprint, row_number)
    if first_row == row_number:
        return True
    message = f"duplicate of row {first_row}: {row.describe_key()}"
    report.record(RowError(row_number, "code", message))
    return False
