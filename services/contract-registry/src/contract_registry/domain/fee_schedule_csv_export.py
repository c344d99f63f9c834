"""Fee schedule CSV export: the inverse of `read_fee_schedule_csv`, same columns, round-trips."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from .fee_schedule import FeeScheduleRow, canonical_decimal
from .fee_schedule_csv import COLUMNS


def write_fee_schedule_csv(rows: Iterable[FeeScheduleRow]) -> Iterator[str]:
    """Yield the header then one CSV line per row (each ending in a newline); the import's inverse."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for cells in _with_header(rows):
        writer.writerow(cells)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def _with_header(rows: Iterable[FeeScheduleRow]) -> Iterator[tuple[str, ...]]:
    yield COLUMNS
    for row in rows:
        yield _cells(row)


def _cells(row: FeeScheduleRow) -> tuple[str, ...]:
    return (
        row.code_system.value,
        row.code,
        ":".join(row.modifiers),
        row.place_of_service or "",
        row.setting.value if row.setting else "",
        row.unit.value,
        row.rate_kind.value,
        canonical_decimal(row.amount) if row.amount is not None else "",
        canonical_decimal(row.percentage) if row.percentage is not None else "",
        row.effective_from.isoformat(),
        row.effective_to.isoformat() if row.effective_to else "",
    )
