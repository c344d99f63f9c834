"""The KPI measures a contract version defines, kept in line with each newer version.

A version's value-based terms list quality measures (name, target, direction, weight and
measurement period). A measure is matched by its name and the start of its period: the same name
for the next year is another scorecard line, with readings of its own. Then:

- a term the tracker does not hold yet is **defined**;
- a held measure whose target, direction, weight or period end differ is **updated** in place
  (same id, so the values recorded against it stay with it), saying what changed;
- a measure whose term is no longer in the version is **retired** with the reason, never deleted;
  a retired measure whose term comes back is **restored** with that version's values;
- anything else is left alone, so applying the same version twice changes nothing.

Measures staff define through the API are not the contract's and are never part of a plan.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from obligation_tracker.domain.value_based import Measure


@dataclass(frozen=True)
class MeasureKey:
    """What identifies a contract's measure across its versions."""

    name: str
    period_start: date

    @classmethod
    def of(cls, measure: Measure) -> MeasureKey:
        return cls(measure.name, measure.period_start)


@dataclass(frozen=True)
class ContractMeasure:
    """A measure the contract defined, as the tracker holds it (``retired_reason`` once retired)."""

    measure: Measure
    retired_reason: str | None = None

    @property
    def key(self) -> MeasureKey:
        return MeasureKey.of(self.measure)

    @property
    def is_retired(self) -> bool:
        return self.retired_reason is not None


@dataclass(frozen=True)
class MeasureChange:
    """One measure in its new state and why it changed."""

    key: MeasureKey
    measure: Measure
    reason: str


@dataclass(frozen=True)
class MeasurePlan:
    to_define: tuple[MeasureChange, ...] = ()
    to_update: tuple[MeasureChange, ...] = ()
    to_restore: tuple[MeasureChange, ...] = ()
    to_retire: tuple[MeasureChange, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.to_define or self.to_update or self.to_restore or self.to_retire)


def plan_contract_measures(
    held: Iterable[ContractMeasure], terms: Iterable[Measure], version: int
) -> MeasurePlan:
    """The changes that bring the contract's ``held`` measures in line with version ``version``."""
    current = {h.key: h for h in held}
    wanted = {MeasureKey.of(term): term for term in terms}
    define: list[MeasureChange] = []
    update: list[MeasureChange] = []
    restore: list[MeasureChange] = []
    for key, term in wanted.items():
        measure = current.get(key)
        if measure is None:
            define.append(
                MeasureChange(key, term, f"defined by contract version {version}: {describe(term)}")
            )
        elif measure.is_retired:
            why = f"in contract version {version} again: {describe(term)}"
            restore.append(MeasureChange(key, term, why))
        elif differences := changed_terms(measure.measure, term):
            why = f"contract version {version} changed {'; '.join(differences)}"
            update.append(MeasureChange(key, term, why))
    retire = [
        MeasureChange(key, measure.measure, f"no longer in contract version {version}")
        for key, measure in current.items()
        if key not in wanted and not measure.is_retired
    ]
    return MeasurePlan(tuple(define), tuple(update), tuple(restore), tuple(retire))


def retire_contract_measures(held: Iterable[ContractMeasure], reason: str) -> MeasurePlan:
    """Every measure still in force retired for one reason (the contract was terminated)."""
    retire = [MeasureChange(h.key, h.measure, reason) for h in held if not h.is_retired]
    return MeasurePlan(to_retire=tuple(retire))


def changed_terms(held: Measure, term: Measure) -> list[str]:
    """What differs between the held measure and the version's term, e.g. ``target 70 -> 75``."""
    pairs = (
        ("target", held.target, term.target),
        ("direction", held.direction.value, term.direction.value),
        ("weight", held.weight, term.weight),
        ("period end", held.period_end, term.period_end),
    )
    return [f"{label} {before} -> {after}" for label, before, after in pairs if before != after]


def describe(measure: Measure) -> str:
    """ "target 70 (higher is better), weight 30, 2026-01-01 to 2026-12-31"."""
    direction = measure.direction.value.replace("_", " ")
    period = f"{measure.period_start} to {measure.period_end}"
    return f"target {measure.target} ({direction}), weight {measure.weight}, {period}"
