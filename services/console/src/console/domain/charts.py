"""Chart geometry for server-rendered SVG: bars scaled to the largest figure, no float in the money."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from console.domain.figures import dollars

CHART_HEIGHT = 160
BAR_WIDTH = 18
GROUP_GAP = 22


@dataclass(frozen=True, slots=True)
class MonthFigures:
    month: date  # the first day of the month
    expected: Decimal
    paid: Decimal


@dataclass(frozen=True, slots=True)
class Bar:
    x: int
    y: int
    height: int
    kind: str  # "expected" or "paid"
    title: str  # what a screen reader and a tooltip say


@dataclass(frozen=True, slots=True)
class MonthColumn:
    label: str
    x: int
    bars: tuple[Bar, Bar]


def bar_height(value: Decimal, largest: Decimal, height: int = CHART_HEIGHT) -> int:
    if largest <= 0 or value <= 0:
        return 0
    return int((value / largest * height).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def expected_vs_paid(months: Sequence[MonthFigures]) -> list[MonthColumn]:
    """Two bars a month (expected, paid) on one scale."""
    largest = max([m.expected for m in months] + [m.paid for m in months] + [Decimal(0)])
    columns = []
    for i, m in enumerate(months):
        x = i * (2 * BAR_WIDTH + GROUP_GAP)
        label = m.month.strftime("%b %Y")
        bars = (
            _bar(x, m.expected, largest, "expected", f"{label}: expected {dollars(m.expected)}"),
            _bar(x + BAR_WIDTH, m.paid, largest, "paid", f"{label}: paid {dollars(m.paid)}"),
        )
        columns.append(MonthColumn(label, x, bars))
    return columns


def chart_width(columns: int) -> int:
    return max(columns, 1) * (2 * BAR_WIDTH + GROUP_GAP)


def last_months(today: date, count: int) -> list[tuple[date, date]]:
    """The first and last day of each of the `count` months ending with today's, oldest first."""
    spans = []
    year, month = today.year, today.month
    for _ in range(count):
        first = date(year, month, 1)
        following = date(year + (month == 12), month % 12 + 1, 1)
        spans.append((first, date.fromordinal(following.toordinal() - 1)))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return list(reversed(spans))


def _bar(x: int, value: Decimal, largest: Decimal, kind: str, title: str) -> Bar:
    h = bar_height(value, largest)
    return Bar(x, CHART_HEIGHT - h, h, kind, title)
