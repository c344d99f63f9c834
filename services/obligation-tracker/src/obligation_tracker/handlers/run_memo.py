"""What the claim use cases read again and again within ONE unit of work, read once.

A consumer applies a fetched run of claim events (hundreds) in one transaction; each event would
otherwise read the same contract, its versions and the organisation's calendar. The memo lives in
the unit of work's session (`session.info`), so it ends with the transaction: nothing is kept across
transactions, and a run that falls back to one event per transaction starts empty each time. Only
the claim use cases use it, and they never write contracts, versions or calendar settings, so what
they remember cannot go stale inside their transaction; a contract version, which does write them
and then applies the claims parked for it, first forgets what was remembered of its contract. A
contract version uses the calendar too (read once for its schedule and its obligations' zone, and
again by none of the parked claims it applies): no consumer writes calendar settings.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from accord_common.uow import UnitOfWork

from obligation_tracker.adapters.repository import ObligationRepository
from obligation_tracker.domain import OrgSchedule
from obligation_tracker.handlers.context import OrgCalendar, Tracker

T = TypeVar("T")
D = TypeVar("D")
_KEY = "obligation_tracker.claim_reads"


def memo(uow: UnitOfWork) -> dict[tuple[Any, ...], Any]:
    found: dict[tuple[Any, ...], Any] = uow.session.info.setdefault(_KEY, {})
    return found


def forget_contract(uow: UnitOfWork, contract_id: str) -> None:
    """Drop what was remembered of the contract (its row, versions, the version a claim takes): a
    contract version is about to be kept in this unit of work, and the parked claims it applies
    must read it (a consumer run may bring several versions of one contract)."""
    remembered = memo(uow)
    for key in [k for k in remembered if len(k) > 1 and k[1] == contract_id]:
        del remembered[key]


async def once(uow: UnitOfWork, key: tuple[Any, ...], read: Callable[[], Awaitable[T]]) -> T:
    """`read()` the first time `key` is asked for in this unit of work; its answer after that."""
    remembered = memo(uow)
    if key not in remembered:
        remembered[key] = await read()
    value: T = remembered[key]
    return value


async def calendar(uow: UnitOfWork, tracker: Tracker, organization_id: str) -> OrgCalendar:
    return await once(
        uow, ("calendar", organization_id), lambda: tracker.calendar(uow.session, organization_id)
    )


async def schedule(uow: UnitOfWork, tracker: Tracker, organization_id: str) -> OrgSchedule:
    """The organisation's schedule (zone and business calendar), made once per unit of work."""
    found = await calendar(uow, tracker, organization_id)
    return await once(uow, ("schedule", organization_id), lambda: _ready(found.schedule))


def per_version(uow: UnitOfWork, what: str, data: D, make: Callable[[D], T]) -> T:
    """`make(data)` once per version's data in the unit of work (not once per event of a run)."""
    remembered = memo(uow)
    found = remembered.get((what, id(data)))
    if found is None or found[0] is not data:  # the data is kept, so its id is not reused meanwhile
        found = remembered[(what, id(data))] = (data, make(data))
    value: T = found[1]
    return value


async def _ready(value: T) -> T:
    return value


async def obligations(uow: UnitOfWork, tracker: Tracker, organization_id: str) -> ObligationRepository:
    """`Tracker.obligations` with the calendar read once per unit of work."""
    found = await schedule(uow, tracker, organization_id)
    return ObligationRepository(uow.session, organization_id, found.zone)
