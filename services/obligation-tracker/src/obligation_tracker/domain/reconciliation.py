"""Idempotent recompute when a contract is amended: what to create, move, reopen and cancel.

Rules, matched by natural key:
- settled obligations (completed, waived, breached) are history and are never touched;
- an obligation still implied but with a different due date is moved, keeping its id;
- a cancelled obligation implied again is reopened (on or after ``today`` only);
- an open obligation no longer implied is cancelled with the reason, unless it is already past
  due: passed deadlines belong to the breach sweep, not to recomputation;
- a newly implied obligation is created only if it is due on or after ``today``: recomputing
  never invents deadlines that had already passed before the tracker knew of them.
Claim obligations (timely filing, prompt pay, appeal) are outside a contract recompute.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date

from obligation_tracker.domain.derivation import Derivation
from obligation_tracker.domain.model import (
    CONTRACT_KINDS,
    Obligation,
    ObligationStatus,
)


@dataclass(frozen=True)
class ReconciliationPlan:
    to_create: tuple[Obligation, ...] = ()
    to_move: tuple[Obligation, ...] = ()
    to_reopen: tuple[Obligation, ...] = ()
    to_cancel: tuple[Obligation, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.to_create or self.to_move or self.to_reopen or self.to_cancel)

    @property
    def changed(self) -> tuple[Obligation, ...]:
        """Every obligation the plan writes, in its new state."""
        return (*self.to_create, *self.to_move, *self.to_reopen, *self.to_cancel)


def reconcile(existing: Iterable[Obligation], derivation: Derivation, today: date) -> ReconciliationPlan:
    """Plan the changes that bring ``existing`` in line with ``derivation``."""
    current = {o.key: o for o in existing if o.kind in CONTRACT_KINDS}
    implied = {o.key: o for o in derivation.obligations}
    version = derivation.version_number
    create: list[Obligation] = []
    move: list[Obligation] = []
    reopen: list[Obligation] = []
    cancel: list[Obligation] = []
    for key, wanted in implied.items():
        held = current.get(key)
        if held is None:
            if wanted.due_date >= today:
                create.append(wanted)
        elif held.status is ObligationStatus.CANCELLED:
            if wanted.due_date >= today:
                reopen.append(_reopen(held, wanted, version))
        elif held.is_open and _deadline_differs(held, wanted):
            move.append(_move(held, wanted, version))
    for key, held in current.items():
        if key not in implied and held.is_open and held.due_date >= today:
            why = derivation.why_absent(key.kind)
            cancel.append(held.cancel(f"no longer implied by version {version}: {why}"))
    return ReconciliationPlan(tuple(create), tuple(move), tuple(reopen), tuple(cancel))


def _deadline_differs(held: Obligation, wanted: Obligation) -> bool:
    return (held.due_date, held.due_at) != (wanted.due_date, wanted.due_at)


def _move(held: Obligation, wanted: Obligation, version: int) -> Obligation:
    why = f"moved by version {version} from {held.due_date} to {wanted.due_date}"
    return _with_terms_of(held.reschedule(wanted.due_date, wanted.due_at, why), wanted)


def _reopen(held: Obligation, wanted: Obligation, version: int) -> Obligation:
    why = f"implied again by version {version}, due {wanted.due_date}"
    return _with_terms_of(held.reschedule(wanted.due_date, wanted.due_at, why), wanted)


def _with_terms_of(updated: Obligation, wanted: Obligation) -> Obligation:
    """Keep the id and history; take the new version's title."""
    return replace(updated, title=wanted.title)
