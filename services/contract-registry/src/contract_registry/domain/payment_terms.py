"""Payment terms by service category: a methodology, the codes it covers, and its modifiers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .codes import BilledCode, CodeMatcher, CodeSystem, code_format_problem
from .errors import InvalidPaymentTerm
from .methodologies import CapitationTerm, Methodology
from .validation import require_date, require_money, require_percent, require_share

MAX_ESCALATOR_PERCENT = Decimal(100)
"""The largest rise an escalator may state (100%: rates double)."""


@dataclass(frozen=True, slots=True)
class MultipleProcedureReduction:
    """Percent paid by rank of value: (100, 50) pays the highest 100% and every other 50%."""

    percentages: tuple[Decimal, ...]

    def __post_init__(self) -> None:
        if not self.percentages:
            raise InvalidPaymentTerm(
                "MultipleProcedureReduction.percentages", "at least one percentage is required"
            )
        for rank, percent in enumerate(self.percentages, start=1):
            require_share(InvalidPaymentTerm, f"MultipleProcedureReduction.percentages[{rank}]", percent)

    def percent_for_rank(self, rank: int) -> Decimal:
        """Rank 1 is the highest-valued procedure; ranks past the list take the last percentage."""
        return self.percentages[min(rank, len(self.percentages)) - 1]


@dataclass(frozen=True, slots=True)
class StopLoss:
    """Above `threshold` billed charges, the payer pays `percent` of the charges above it."""

    threshold: Decimal
    percent: Decimal

    def __post_init__(self) -> None:
        require_money(InvalidPaymentTerm, "StopLoss.threshold", self.threshold)
        require_percent(InvalidPaymentTerm, "StopLoss.percent", self.percent)


@dataclass(frozen=True, slots=True)
class CarveOut:
    """Codes paid under a different methodology (implants at invoice cost + 10%)."""

    name: str
    matcher: CodeMatcher
    methodology: Methodology

    def __post_init__(self) -> None:
        if isinstance(self.methodology, CapitationTerm):
            raise InvalidPaymentTerm(
                f"CarveOut[{self.name}].methodology", "capitation is paid per member, not per code"
            )
        if not self.matcher.ranges:
            raise InvalidPaymentTerm(f"CarveOut[{self.name}].matcher", "names no codes")


@dataclass(frozen=True, slots=True)
class AnniversaryEscalator:
    """Rates rise by `percent` on each anniversary of the contract's effective date."""

    percent: Decimal

    def __post_init__(self) -> None:
        require_percent(
            InvalidPaymentTerm, "AnniversaryEscalator.percent", self.percent, upper=MAX_ESCALATOR_PERCENT
        )


@dataclass(frozen=True, slots=True)
class DatedEscalator:
    """Rates rise by `percent` on a named date."""

    percent: Decimal
    effective_on: date

    def __post_init__(self) -> None:
        require_percent(
            InvalidPaymentTerm, "DatedEscalator.percent", self.percent, upper=MAX_ESCALATOR_PERCENT
        )
        require_date(InvalidPaymentTerm, "DatedEscalator.effective_on", self.effective_on)


Escalator = AnniversaryEscalator | DatedEscalator


@dataclass(frozen=True, slots=True)
class CodeFloor:
    """The least the organisation accepts for a code: an expected price below it is flagged."""

    code_system: CodeSystem
    code: str
    minimum: Decimal

    def __post_init__(self) -> None:
        if problem := code_format_problem(self.code_system, self.code):
            raise InvalidPaymentTerm("CodeFloor.code", problem)
        require_money(InvalidPaymentTerm, f"CodeFloor[{self.code}].minimum", self.minimum)


@dataclass(frozen=True, slots=True, kw_only=True)
class PaymentTerm:
    """How one service category is paid: methodology, covered codes, and modifiers."""

    name: str
    service_category: str
    matcher: CodeMatcher
    methodology: Methodology
    lesser_of_billed: bool = False
    multiple_procedure_reduction: MultipleProcedureReduction | None = None
    stop_loss: StopLoss | None = None
    carve_outs: tuple[CarveOut, ...] = ()
    escalators: tuple[Escalator, ...] = ()
    floors: tuple[CodeFloor, ...] = ()

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise InvalidPaymentTerm("PaymentTerm.name", "a payment term needs a name")
        if not self.matcher.ranges and not isinstance(self.methodology, CapitationTerm):
            raise InvalidPaymentTerm(f"PaymentTerm[{self.name}].matcher", "covers no codes")
        names = [carve_out.name for carve_out in self.carve_outs]
        if len(set(names)) != len(names):
            raise InvalidPaymentTerm(f"PaymentTerm[{self.name}].carve_outs", "carve-out names repeat")
        floored = [(floor.code_system, floor.code) for floor in self.floors]
        if len(set(floored)) != len(floored):
            raise InvalidPaymentTerm(f"PaymentTerm[{self.name}].floors", "a code has two floors")

    def covers(self, billed: BilledCode) -> bool:
        return self.matcher.covers(billed)

    def carve_out_for(self, billed: BilledCode) -> CarveOut | None:
        return next((c for c in self.carve_outs if c.matcher.covers(billed)), None)

    def floor_for(self, billed: BilledCode) -> Decimal | None:
        return next(
            (
                floor.minimum
                for floor in self.floors
                if (floor.code_system, floor.code) == (billed.code_system, billed.code)
            ),
            None,
        )


def escalation_dates(
    escalators: tuple[Escalator, ...], contract_effective: date, through: date
) -> tuple[tuple[date, Decimal], ...]:
    """Each (date, percent) a rate rises on, from the contract's effective date through a date."""
    rises: list[tuple[date, Decimal]] = []
    for escalator in escalators:
        if isinstance(escalator, DatedEscalator):
            if contract_effective < escalator.effective_on <= through:
                rises.append((escalator.effective_on, escalator.percent))
            continue
        years = 1
        while (anniversary := _add_years(contract_effective, years)) <= through:
            rises.append((anniversary, escalator.percent))
            years += 1
    return tuple(sorted(rises))


def _add_years(start: date, years: int) -> date:
    try:
        return start.replace(year=start.year + years)
    except ValueError:  # 29 February: the anniversary falls on 28 February
        return start.replace(year=start.year + years, day=28)
