"""Fee schedule CSV export: the inverse of `read_fee_schedule_csv`, same columns, round-trips."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from .fee_schedule import FeeScheduleRow, row_cells
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
        yield row_cells(row)
