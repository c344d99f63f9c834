"""Contract fee schedules: rows indexed by (code system, code) for constant-time lookup."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from .codes import CodeSystem, Setting

OPEN_END = date(9999, 12, 31)


class RateKind(StrEnum):
    """How a row's `rate` reads: dollars per unit, or a whole-number percentage (120 = 120%)."""

    AMOUNT = "amount"
    PERCENT_OF_MEDICARE = "percent_of_medicare"
    PERCENT_OF_CHARGES = "percent_of_charges"


@dataclass(frozen=True, slots=True)
class FeeScheduleRow:
    """One rate: code (+ modifiers), optionally limited to a place of service or a setting.

    `rate` is dollars per unit for AMOUNT rows and a percentage for the percent kinds (% of the
    code's Medicare allowed x units, or % of the line's billed charges).
    """

    code_system: CodeSystem
    code: str
    rate: Decimal
    modifiers: tuple[str, ...] = ()
    place_of_service: str | None = None
    setting: Setting | None = None
    effective_from: date = date(1900, 1, 1)
    effective_to: date = OPEN_END
    kind: RateKind = RateKind.AMOUNT
    source: str = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "source", self._describe())

    @property
    def specificity(self) -> tuple[int, int, int]:
        """More modifiers, then a POS, then a setting: the most specific matching row wins."""
        return (
            len(self.modifiers),
            self.place_of_service is not None,
            self.setting is not None,
        )

    def matches(
        self, modifiers: tuple[str, ...], place_of_service: str | None, setting: Setting, on: date
    ) -> bool:
        if not self.effective_from <= on <= self.effective_to:
            return False
        if self.place_of_service is not None and self.place_of_service != place_of_service:
            return False
        if self.setting is not None and self.setting is not setting:
            return False
        return all(m in modifiers for m in self.modifiers)

    def _describe(self) -> str:
        """How the explanation names this row: "fee schedule row CPT/HCPCS 99213-26 POS 11"."""
        parts = [f"fee schedule row {self.code_system.value} {self.code}"]
        if self.modifiers:
            parts[0] += "-" + "-".join(self.modifiers)
        if self.place_of_service is not None:
            parts.append(f"POS {self.place_of_service}")
        if self.setting is not None:
            parts.append(self.setting.value)
        if self.effective_from != date(1900, 1, 1) or self.effective_to != OPEN_END:
            parts.append(f"effective {self.effective_from}..{self.effective_to}")
        if self.kind is not RateKind.AMOUNT:
            parts.append(f"({self.kind.value.replace('_', ' ')})")
        return " ".join(parts)


@dataclass(frozen=True, slots=True)
class FeeSchedule:
    """A named set of rows; lookups go through a dict built once, rows sorted most specific first."""

    name: str
    rows: tuple[FeeScheduleRow, ...]
    _index: dict[tuple[CodeSystem, str], tuple[FeeScheduleRow, ...]] = field(
        init=False, compare=False, repr=False
    )

    def __post_init__(self) -> None:
        grouped: defaultdict[tuple[CodeSystem, str], list[FeeScheduleRow]] = defaultdict(list)
        for row in self.rows:
            grouped[(row.code_system, row.code)].append(row)
        index = {
            key: tuple(sorted(rows, key=lambda r: r.specificity, reverse=True))
            for key, rows in grouped.items()
        }
        object.__setattr__(self, "_index", index)

    def lookup(
        self,
        code_system: CodeSystem,
        code: str,
        modifiers: tuple[str, ...],
        place_of_service: str | None,
        setting: Setting,
        on: date,
    ) -> FeeScheduleRow | None:
        """The most specific row in force on `on` for this code, or None."""
        for row in self._index.get((code_system, code), ()):
            if row.matches(modifiers, place_of_service, setting, on):
                return row
        return None

    def __len__(self) -> int:
        return len(self.rows)
