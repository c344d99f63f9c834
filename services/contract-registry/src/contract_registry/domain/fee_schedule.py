"""Fee schedules: validated rows of (code, modifiers, place of service, rate) and their content hash."""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from .codes import (
    BilledCode,
    CodeSystem,
    Setting,
    code_format_problem,
    modifier_problem,
    place_of_service_problem,
)
from .errors import DuplicateFeeScheduleRow, InvalidFeeScheduleRow
from .validation import require_money, require_percent


class RateKind(StrEnum):
    """How a row's figure is read: dollars (amount, per diem, case rate) or a percentage."""

    AMOUNT = "amount"
    PERCENT_OF_MEDICARE = "percent_of_medicare"
    PERCENT_OF_CHARGES = "percent_of_charges"
    PER_DIEM = "per_diem"
    CASE_RATE = "case_rate"

    @property
    def is_percentage(self) -> bool:
        return self in (RateKind.PERCENT_OF_MEDICARE, RateKind.PERCENT_OF_CHARGES)


class BillingUnit(StrEnum):
    """What one paid unit is: a unit of service, a day (per diem) or a case (case rate)."""

    UNIT = "unit"
    DAY = "day"
    CASE = "case"


_UNIT_REQUIRED = {RateKind.PER_DIEM: BillingUnit.DAY, RateKind.CASE_RATE: BillingUnit.CASE}

RowKey = tuple[CodeSystem, str, tuple[str, ...], str | None, Setting | None, date]
BaseKey = tuple[CodeSystem, str, tuple[str, ...], str | None, Setting | None]


@dataclass(frozen=True, slots=True, kw_only=True)
class FeeScheduleRow:
    """One rate: a code (+ modifiers), optionally limited to a place of service or a setting.

    `amount` holds dollars for amount / per_diem / case_rate rows; `percentage` holds a whole-number
    percentage (150 = 150%) for percent_of_medicare / percent_of_charges rows. `effective_to` is the
    last day the rate applies (inclusive); None means open-ended (evergreen).
    """

    code_system: CodeSystem
    code: str
    rate_kind: RateKind
    effective_from: date
    effective_to: date | None = None
    modifiers: tuple[str, ...] = ()
    place_of_service: str | None = None
    setting: Setting | None = None
    unit: BillingUnit = BillingUnit.UNIT
    amount: Decimal | None = None
    percentage: Decimal | None = None

    def __post_init__(self) -> None:
        self._check_codes()
        self._check_rate()
        if self.effective_to is not None and self.effective_to < self.effective_from:
            raise InvalidFeeScheduleRow(
                "effective_to",
                f"{self.effective_to.isoformat()} is before effective_from {self.effective_from.isoformat()}",
            )

    def _check_codes(self) -> None:
        problem = code_format_problem(self.code_system, self.code)
        if problem:
            raise InvalidFeeScheduleRow("code", problem)
        for modifier in self.modifiers:
            if problem := modifier_problem(modifier):
                raise InvalidFeeScheduleRow("modifiers", problem)
        if len(set(self.modifiers)) != len(self.modifiers):
            raise InvalidFeeScheduleRow("modifiers", f"repeated modifier in {self.modifiers}")
        place = self.place_of_service
        if place is not None and (problem := place_of_service_problem(place)):
            raise InvalidFeeScheduleRow("place_of_service", problem)

    def _check_rate(self) -> None:
        figure, other = (
            ("percentage", "amount")
            if self.rate_kind.is_percentage
            else (
                "amount",
                "percentage",
            )
        )
        value = getattr(self, figure)
        if value is None:
            raise InvalidFeeScheduleRow(figure, f"required for a {self.rate_kind.value} row")
        if getattr(self, other) is not None:
            raise InvalidFeeScheduleRow(other, f"must be empty for a {self.rate_kind.value} row")
        if figure == "percentage":
            require_percent(InvalidFeeScheduleRow, "percentage", value)
        else:
            require_money(InvalidFeeScheduleRow, "amount", value)
        required_unit = _UNIT_REQUIRED.get(self.rate_kind)
        if required_unit is not None and self.unit is not required_unit:
            raise InvalidFeeScheduleRow(
                "unit", f"a {self.rate_kind.value} row is paid per {required_unit.value}"
            )

    @property
    def base_key(self) -> BaseKey:
        """What the rate is for, regardless of when."""
        return (
            self.code_system,
            self.code,
            self.modifiers,
            self.place_of_service,
            self.setting,
        )

    @property
    def key(self) -> RowKey:
        """Unique within a schedule: what the rate is for and when it starts."""
        return (*self.base_key, self.effective_from)

    def in_force_on(self, on: date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)

    def describe_key(self) -> str:
        """How messages name the row: "CPT 99213-25 POS 11 facility from 2025-01-01"."""
        text = f"{self.code_system.value} {self.code}"
        text += "".join(f"-{modifier}" for modifier in self.modifiers)
        if self.place_of_service is not None:
            text += f" POS {self.place_of_service}"
        if self.setting is not None:
            text += f" {self.setting.value}"
        return f"{text} from {self.effective_from.isoformat()}"


def canonical_decimal(value: Decimal) -> str:
    """One spelling per value: 123.450 and 123.45 both become "123.45", 1E+2 becomes "100"."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "0") else text


def canonical_row(row: FeeScheduleRow) -> str:
    """The row as one line of text, the same for equal rows whatever the Decimal spelling."""
    return "|".join(row_cells(row))


def row_cells(row: FeeScheduleRow) -> tuple[str, ...]:
    """The row's fields as text in column order, decimals in their canonical spelling."""
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


def fee_schedule_hash(rows: Iterable[FeeScheduleRow]) -> str:
    """SHA-256 (hex) of the sorted canonical rows: the same for the same rows in any order."""
    return hash_sorted_canonical_rows(sorted(canonical_row(row) for row in rows))


def hash_sorted_canonical_rows(lines: Iterable[str]) -> str:
    """The content hash from canonical rows already in sorted (code point) order."""
    hasher = ContentHasher()
    for line in lines:
        hasher.add(line)
    return hasher.hexdigest()


class ContentHasher:
    """fee_schedule_hash fed one canonical row at a time, in sorted order (e.g. sorted by a
    database), so a large schedule is hashed without holding it in memory."""

    def __init__(self) -> None:
        self._digest = hashlib.sha256()

    def add(self, line: str) -> None:
        self._digest.update(line.encode("utf-8"))
        self._digest.update(b"\n")

    def hexdigest(self) -> str:
        return self._digest.hexdigest()


def overlap_problem(earlier: FeeScheduleRow, later: FeeScheduleRow) -> str | None:
    """Why two rows for the same code clash in time (later starts before earlier ends), or None."""
    if earlier.effective_to is not None and earlier.effective_to < later.effective_from:
        return None
    until = earlier.effective_to.isoformat() if earlier.effective_to else "open-ended"
    return (
        f"{later.describe_key()} overlaps the rate in force {earlier.effective_from.isoformat()} to {until}"
    )


@dataclass(frozen=True, slots=True)
class FeeScheduleRef:
    """How a version points at its schedule: rows travel separately, identified by content hash."""

    schedule_id: str
    content_hash: str
    row_count: int


@dataclass(frozen=True, slots=True)
class FeeSchedule:
    """A set of rows with unique keys and no overlapping dates for the same code."""

    rows: tuple[FeeScheduleRow, ...]
    _by_code: dict[tuple[CodeSystem, str], tuple[FeeScheduleRow, ...]] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        grouped: dict[tuple[CodeSystem, str], list[FeeScheduleRow]] = {}
        for row in self.rows:
            grouped.setdefault((row.code_system, row.code), []).append(row)
        for rows in grouped.values():
            _check_no_clash(rows)
        index = {code: tuple(rows) for code, rows in grouped.items()}
        object.__setattr__(self, "_by_code", index)

    def rows_for(self, billed: BilledCode, on: date) -> tuple[FeeScheduleRow, ...]:
        """Every row for the billed code in force on the date (any modifier, POS or setting)."""
        rows = self._by_code.get((billed.code_system, billed.code), ())
        return tuple(row for row in rows if row.in_force_on(on))

    @property
    def content_hash(self) -> str:
        return fee_schedule_hash(self.rows)

    def reference(self, schedule_id: str) -> FeeScheduleRef:
        return FeeScheduleRef(schedule_id, self.content_hash, len(self.rows))

    def __iter__(self) -> Iterator[FeeScheduleRow]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


def _check_no_clash(rows: list[FeeScheduleRow]) -> None:
    by_base: dict[BaseKey, list[FeeScheduleRow]] = {}
    for row in rows:
        by_base.setdefault(row.base_key, []).append(row)
    for same in by_base.values():
        same.sort(key=lambda row: row.effective_from)
        for earlier, later in itertools.pairwise(same):
            if earlier.effective_from == later.effective_from:
                raise DuplicateFeeScheduleRow(f"duplicate row {later.describe_key()}")
            if problem := overlap_problem(earlier, later):
                raise DuplicateFeeScheduleRow(problem)
