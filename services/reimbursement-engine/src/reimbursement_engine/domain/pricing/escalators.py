"""Escalators: contract rates that rise by a percentage on each anniversary or on named dates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache

from .money import HUNDRED, ONE, fmt_percent, to_cents


@dataclass(frozen=True, slots=True)
class EscalatorStep:
    """One increase: `percent` (3 = 3%) from `effective` on."""

    effective: date
    percent: Decimal


@dataclass(frozen=True, slots=True)
class Escalation:
    """The increases in force on a date, the factor they make and how to say it."""

    steps: tuple[EscalatorStep, ...]
    factor: Decimal
    description: str = ""

    def apply(self, rate: Decimal) -> Decimal:
        """The escalated rate, rounded to cents (as a payer would republish its fee schedule)."""
        return to_cents(rate * self.factor)


def _escalation(steps: tuple[EscalatorStep, ...], compounding: bool) -> Escalation:
    if not steps:
        return NO_ESCALATION
    factor = _factor(steps, compounding)
    parts = ", ".join(f"{fmt_percent(s.percent)} on {s.effective}" for s in steps)
    how = "compounding" if compounding else "simple"
    return Escalation(steps, factor, f"escalator {parts} ({how}, factor {factor.normalize():f})")


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
        return _escalation(tuple(steps), self.compounding)


@dataclass(frozen=True, slots=True)
class NamedDateEscalator:
    """Increases on dates the contract names, each with its own percentage."""

    steps: tuple[EscalatorStep, ...]
    compounding: bool = True

    def escalation_on(self, service_date: date) -> Escalation:
        ordered = sorted(self.steps, key=lambda s: s.effective)
        return _escalation(tuple(s for s in ordered if s.effective <= service_date), self.compounding)


Escalator = AnniversaryEscalator | NamedDateEscalator


@lru_cache(maxsize=8192)
def escalation_on(escalator: Escalator, service_date: date) -> Escalation:
    """Memoised `escalator.escalation_on` (escalators are immutable and few; dates repeat)."""
    return escalator.escalation_on(service_date)
