"""Reading CMS schedule files as CMS publishes them (title and notice rows, `$1,234.56` amounts,
trailing note rows): the shared pieces, and the report of rows read and refused.

A parser never raises on a bad row: it refuses it with the line number and the reason, and the
loader answers the report. A file whose header cannot be found is refused whole
(`ScheduleFileError`).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TextIO


class ScheduleFileError(ValueError):
    """A file that is not the CMS file it was loaded as (no header row, missing columns)."""


@dataclass(frozen=True, slots=True)
class RefusedRow:
    line: int
    reason: str


@dataclass(slots=True)
class FileReport:
    """What one file gave: data rows read, rows refused with why (notes and blank rows are not
    rows)."""

    part: str
    read: int = 0
    refused: list[RefusedRow] = field(default_factory=list)

    def refuse(self, line: int, reason: str) -> None:
        self.refused.append(RefusedRow(line, reason))

    @property
    def loaded(self) -> int:
        return self.read - len(self.refused)


def money(text: str) -> Decimal | None:
    """`$1,579.16 `, `128.87` or blank (None); anything else raises InvalidOperation."""
    cleaned = text.strip().replace("$", "").replace(",", "").strip()
    if not cleaned or cleaned == ".":
        return None
    return Decimal(cleaned)


def percent(text: str) -> Decimal | None:
    """`35.62%` -> Decimal("35.62") (a whole-number percentage); blank -> None."""
    cleaned = text.strip().rstrip("%").strip()
    return Decimal(cleaned) if cleaned else None


def is_hcpcs(text: str) -> bool:
    """Five characters, letters and digits (CPT 45378, 0101T; HCPCS G0463)."""
    return len(text) == 5 and text.isalnum()


def find_header(rows: Iterator[list[str]], first: str, what: str) -> tuple[int, list[str]]:
    """Skip CMS's title and notice rows to the header row whose first cell starts with `first`;
    answers (its line number, its cells stripped and lower-cased)."""
    for number, row in enumerate(rows, start=1):
        if row and row[0].strip().lower().startswith(first.lower()):
            return number, [" ".join(cell.split()).lower() for cell in row]
    raise ScheduleFileError(f"{what}: no header row starting with {first!r}")


def column(header: Sequence[str], *words: str, what: str, last: bool = False) -> int:
    """Index of the (first or last) header cell holding all `words` (lower case)."""
    found = [i for i, cell in enumerate(header) if all(w in cell for w in words)]
    if not found:
        raise ScheduleFileError(f"{what}: no column {' '.join(words)!r} in the header")
    return found[-1] if last else found[0]


def cell(row: Sequence[str], index: int) -> str:
    return row[index].strip() if index < len(row) else ""


def number(text: str, where: str, report: FileReport, line: int) -> Decimal | bool | None:
    """A money/weight cell, or False after refusing the row (so callers can `continue`)."""
    try:
        return money(text)
    except InvalidOperation:
        report.refuse(line, f"{where} {text.strip()!r} is not a number")
        return False


def data_rows(stream: TextIO, first: str, what: str) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The header and the (line, cells) rows after it that start with a HCPCS-like code; notes and
    blank rows are skipped (not counted)."""
    reader = csv.reader(stream)
    start, header = find_header(iter(reader), first, what)

    def rows() -> Iterator[tuple[int, list[str]]]:
        for offset, row in enumerate(reader, start=start + 1):
            code = row[0].strip() if row else ""
            if code and len(code) <= 7 and " " not in code and not code.upper().startswith("NOTE"):
                yield offset, row

    return header, rows()
