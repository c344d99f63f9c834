"""What staff do with an obligation: complete, waive, snooze (audited, by whom and when)."""

from __future__ import annotations

from datetime import date, datetime, time

from accord_common.auth import Principal
from accord_common.errors import Conflict, Unprocessable
from accord_common.uow import UnitOfWork

from obligation_tracker.adapters.repository import StoredObligation
from obligation_tracker.domain import Obligation, ObligationStateError
from obligation_tracker.handlers.context import Tracker
from obligation_tracker.handlers.publishing import Change, apply_change


async def _act(
    uow: UnitOfWork,
    tracker: Tracker,
    who: Principal,
    obligation_id: str,
    action: str,
    event_type: str | None,
    comment: str,
    transition: str,
    until: date | None = None,
) -> StoredObligation:
    async with uow:
        repo = await tracker.obligations(uow.session, who.organization_id)
        held = await repo.get(obligation_id, for_update=True)
        current = held.obligation
        try:
            changed = _transition(current, transition, comment, until, tracker.now())
        except ObligationStateError as exc:
            raise Conflict(str(exc))
        change = Change(changed, held.refs, action, event_type, comment, current.status, actor=who.name)
        await apply_change(uow, repo, change, tracker.now())
        await uow.commit()
        return await repo.get(obligation_id)


def _transition(
    current: Obligation, transition: str, comment: str, until: date | None, now: datetime
) -> Obligation:
    if transition == "complete":
        return current.complete(comment)
    if transition == "waive":
        return current.waive(comment)
    assert until is not None
    if until <= now.astimezone(current.due_at.tzinfo).date():
        raise Unprocessable(
            "until must be a future date", errors=[{"field": "until", "message": "not in the future"}]
        )
    # Snoozed until the start of that day in the obligation's (the organisation's) zone.
    return current.snooze(datetime.combine(until, time.min, tzinfo=current.due_at.tzinfo))


async def complete(
    uow: UnitOfWork, tracker: Tracker, who: Principal, obligation_id: str, comment: str | None
) -> StoredObligation:
    note = comment or f"completed by {who.name}"
    return await _act(uow, tracker, who, obligation_id, "completed", "obligation.completed", note, "complete")


async def waive(
    uow: UnitOfWork, tracker: Tracker, who: Principal, obligation_id: str, reason: str
) -> StoredObligation:
    return await _act(uow, tracker, who, obligation_id, "waived", None, f"waived: {reason}", "waive")


async def snooze(
    uow: UnitOfWork, tracker: Tracker, who: Principal, obligation_id: str, until: date, comment: str | None
) -> StoredObligation:
    note = f"snoozed until {until}" + (f": {comment}" if comment else "")
    return await _act(uow, tracker, who, obligation_id, "snoozed", None, note, "snooze", until)
