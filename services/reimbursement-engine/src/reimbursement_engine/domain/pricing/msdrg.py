"""MS-DRG relative weights by federal fiscal year (CMS IPPS Table 5), and their CSV format.

A fiscal year runs 1 October to 30 September: FY2025 is 2024-10-01..2025-09-30. IPPS prices a
stay by its discharge date, so the table is chosen by the claim's discharge (or last service) date.

CSV: a header with `drg` and `weight` (and optionally `description`); lines starting with "#" are
comments (e.g. the source of the figures).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TextIO

from .medicare_files import MedicareFileError


def fiscal_year_of(day: date) -> int:
    """The federal fiscal year a date falls in (October starts the next year's)."""
    return day.year + 1 if day.month >= 10 else day.year


def normal_drg(drg: str) -> str:
    """MS-DRGs are three digits: "0470", "470" and " 470" are the same DRG."""
    text = drg.strip()
    return text.lstrip("0").zfill(3) if text.isdigit() else text


@dataclass(frozen=True, slots=True)
class DrgWeightTable:
    """One fiscal year's MS-DRG relative weights (and titles, when the file has them)."""

    fiscal_year: int
    weights: Mapping[str, Decimal]
    descriptions: Mapping[str, str] = field(default_factory=dict)

    def weight(self, drg: str) -> Decimal | None:
        return self.weights.get(normal_drg(drg))


def _rows(stream: TextIO) -> Iterable[tuple[int, dict[str, str]]]:
    numbered = ((n, text) for n, text in enumerate(stream, start=1) if not text.lstrip().startswith("#"))
    lines = list(numbered)
    reader = csv.DictReader(text for _, text in lines)
    header = {(name or "").strip().lower() for name in reader.fieldnames or ()}
    missing = sorted({"drg", "weight"} - header)
    if missing:
        raise MedicareFileError(f"MS-DRG weights file lacks columns {missing}")
    for (number, _), row in zip(lines[1:], reader, strict=False):
        yield number, {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}


def parse_msdrg_weights(stream: TextIO, fiscal_year: int) -> DrgWeightTable:
    """Read the CSV; a bad DRG, weight or repeated DRG is refused with its line number."""
    weights: dict[str, Decimal] = {}
    descriptions: dict[str, str] = {}
    for number, row in _rows(stream):
        drg = normal_drg(row["drg"])
        if not (drg.isdigit() and len(drg) == 3):
            raise MedicareFileError(f"line {number}: {row['drg']!r} is not an MS-DRG (three digits)")
        if drg in weights:
            raise MedicareFileError(f"line {number}: MS-DRG {drg} listed twice")
        try:
            weight = Decimal(row["weight"])
        except InvalidOperation:
            raise MedicareFileError(f"line {number}: weight {row['weight']!r} is not a number") from None
        if not weight.is_finite() or weight <= 0:
            raise MedicareFileError(f"line {number}: weight {row['weight']!r} must be above 0")
        weights[drg] = weight
        if row.get("description"):
            descriptions[drg] = row["description"]
    if not weights:
        raise MedicareFileError("MS-DRG weights file has no rows")
    return DrgWeightTable(fiscal_year, weights, descriptions)
