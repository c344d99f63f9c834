"""Escalators: contract rates that rise by a percentage on each anniversary or on named dates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .money import HUNDRED, ONE, fmt_percent, to_cents


@dataclass(frozen=True, slots=True)
class EscalatorStep:
    """One increase: `percent` (3 = 3%) from `effective` on."""

    effective: date
    percent: Decimal


@dataclass(frozen=True, slots=True)
class Escalation:
    """The increases in force on a date and the factor they make."""

    steps: tuple[EscalatorStep, ...]
    factor: Decimal

    def apply(self, rate: Decimal) -> Decimal:
        """The escalated rate, rounded to cents (as a payer would republish its fee schedule)."""
        return to_cents(rate * self.factor)

    def describe(self) -> str:
        parts = ", ".join(f"{fmt_percent(s.percent)} on {s.effective}" for s in self.steps)
        return f"escalator {parts} (factor {self.factor.normalize():f})"


NO_ESCALATION = Escalation((), ONE)


def _anniversary(start: date, years: int) -> date:
    try:
        return start.replace(year=start.year + years)
    except ValueError:  # 29 February in a non-leap year: the anniversary falls on the 28th
        return start.replace(year=start.year + years, day=28)


def _factor(steps: tuple[EscalatorStep, ...], compounding: bool) -> Decimal:
    if compounding:
        factor = ONE
        for step in steps:
            factor *= ONE + step.percent / HUNDRED
        return factor
    return ONE + sum((s.percent for s in steps), Decimal(0)) / HUNDRED


@dataclass(frozen=True, slots=True)
class AnniversaryEscalator:
    """`percent` on each anniversary of `contract_effective` (compounding unless said otherwise)."""

    contract_effective: date
    percent: Decimal
    compounding: bool = True

    def escalation_on(self, service_date: date) -> Escalation:
        steps = []
        years = 1
        while (anniversary := _anniversary(self.contract_effective, years)) <= service_date:
            steps.append(EscalatorStep(anniversary, self.percent))
            years += 1
        if not steps:
            return NO_ESCALATION
        return Escalation(tuple(steps), _factor(tuple(steps), self.compounding))


@dataclass(frozen=True, slots=True)
class NamedDateEscalator:
    """Increases on dates the contract names, each with its own percentage."""

    steps: tuple[EscalatorStep, ...]
    compounding: bool = True

    def escalation_on(self, service_date: date) -> Escalation:
        in_force = tuple(s for s in sorted(self.steps, key=lambda s: s.effective)
                         if s.effective <= service_date)
        if not in_force:
            return NO_ESCALATION
        return Escalation(in_force, _factor(in_force, self.compounding))


Escalator = AnniversaryEscalator | NamedDateEscalator
