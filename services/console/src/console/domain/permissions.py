"""What a signed-in person may do: the actions a page offers follow the scopes of their key."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class Scope(StrEnum):
    CONTRACTS_READ = "contracts:read"
    CLAIMS_READ = "claims:read"
    CLAIMS_WRITE = "claims:write"
    OBLIGATIONS_READ = "obligations:read"
    OBLIGATIONS_WRITE = "obligations:write"
    NOTIFICATIONS_READ = "notifications:read"
    ADMIN = "admin"


class VarianceStatus(StrEnum):
    OPEN = "open"
    APPEALED = "appealed"
    RECOVERED = "recovered"
    WRITTEN_OFF = "written_off"


class VarianceMove(StrEnum):
    """Where a variance can be moved: the engine's workflow, named as the worklist says it."""

    APPEALED = "appealed"
    RECOVERED = "recovered"
    WRITTEN_OFF = "written_off"

    @property
    def label(self) -> str:
        return {"appealed": "Appeal", "recovered": "Mark recovered", "written_off": "Write off"}[self.value]


class ObligationMove(StrEnum):
    COMPLETE = "complete"
    WAIVE = "waive"
    SNOOZE = "snooze"


_NEXT: dict[VarianceStatus, tuple[VarianceMove, ...]] = {
    VarianceStatus.OPEN: (VarianceMove.APPEALED, VarianceMove.WRITTEN_OFF),
    VarianceStatus.APPEALED: (VarianceMove.RECOVERED, VarianceMove.WRITTEN_OFF),
}


def may(scopes: Iterable[str], scope: Scope) -> bool:
    held = set(scopes)
    return scope.value in held or Scope.ADMIN.value in held


def variance_moves(status: str, scopes: Iterable[str]) -> tuple[VarianceMove, ...]:
    """The moves offered on a variance: none without claims:write, none once it is settled."""
    if not may(scopes, Scope.CLAIMS_WRITE):
        return ()
    try:
        return _NEXT.get(VarianceStatus(status), ())
    except ValueError:
        return ()


def obligation_moves(status: str, scopes: Iterable[str]) -> tuple[ObligationMove, ...]:
    """Complete, waive and snooze an open obligation, with obligations:write only."""
    if status != "open" or not may(scopes, Scope.OBLIGATIONS_WRITE):
        return ()
    return (ObligationMove.COMPLETE, ObligationMove.WAIVE, ObligationMove.SNOOZE)
