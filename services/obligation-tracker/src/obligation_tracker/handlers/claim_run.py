"""A fetched run of claim events applied as a set, in the run's one transaction.

The consumer enters `claim_run_scope` around a run whose events are all claim events (see
accord_common.messaging.batch). Up front, in a few statements: the contracts the events name are
held (shared), then every claim (alone when a pricing or variance of it is in the run, else shared),
then the claims' pricings, obligations and waiting parked events are read at once. The use cases
then run event by event, in partition order, exactly as alone, but their claim reads and writes go
to the run's rows in memory (handlers/claim_run_stores.py): a payment sees the pricing an earlier
event of the run recorded, a pricing releases the payment an earlier event parked. On the way out
the rows are written in bulk: new pricings, obligations, history entries and parked events inserted
in one go each, changed ones updated in one executemany, released parked events deleted. A failure
anywhere rolls the whole run back and the consumer applies it one event at a time (no scope).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from accord_common.events import CloudEvent
from accord_common.uow import UnitOfWork

from obligation_tracker.adapters import claim_run_repository as sets
from obligation_tracker.adapters import locks
from obligation_tracker.adapters.parked_repository import ParkedClaimEvents
from obligation_tracker.adapters.repository import ObligationRepository
from obligation_tracker.adapters.version_repository import ClaimPricings
from obligation_tracker.handlers import run_memo
from obligation_tracker.handlers.claim_run_stores import ClaimRun, RunObligations, RunParked, RunPricings
from obligation_tracker.handlers.context import Tracker

_KEY = "obligation_tracker.claim_run"
ALONE = frozenset({"claim.priced", "claim.variance_detected"})  # they take their claim's lock alone


def active(uow: UnitOfWork) -> ClaimRun | None:
    run: ClaimRun | None = uow.session.info.get(_KEY)
    return run


@asynccontextmanager
async def claim_run_scope(events: Sequence[CloudEvent], uow: UnitOfWork) -> AsyncIterator[None]:
    """Hold and read what the run's claim events need, let them apply, then write it in bulk."""
    run = ClaimRun(uow.session, {e.id for e in events})
    await _hold(uow, events)
    claims: dict[str, list[str]] = {}
    for org, claim_id in _claims(events):
        claims.setdefault(org, []).append(claim_id)
    for org, claim_ids in claims.items():
        await run.load(org, claim_ids)
    run.note_parked(await sets.parked_among(uow.session, sorted(run.run_events)))
    uow.session.info[_KEY] = run
    try:
        yield
    finally:
        uow.session.info.pop(_KEY, None)
    await run.flush()


def _claims(events: Sequence[CloudEvent]) -> dict[tuple[str, str], bool]:
    """{(organisation, claim): whether an event of the run takes the claim alone}."""
    claims: dict[tuple[str, str], bool] = {}
    for event in events:
        org, claim_id = event.data.get("organization_id"), event.data.get("claim_id")
        if isinstance(org, str) and isinstance(claim_id, str):
            claims[(org, claim_id)] = claims.get((org, claim_id), False) or event.type in ALONE
    return claims


async def _hold(uow: UnitOfWork, events: Sequence[CloudEvent]) -> None:
    """Contracts first, then claims (the order of adapters/locks.py), each set in one statement."""
    contract_ids = {c for e in events if isinstance(c := e.data.get("contract_id"), str)}
    await sets.hold_all(uow.session, {locks.contract_subject(c): False for c in contract_ids})
    for contract_id in contract_ids:
        run_memo.memo(uow)[("held", contract_id)] = True  # claims.py's _known_contract: held already
    claims = _claims(events)
    await sets.hold_all(uow.session, {locks.claim_subject(o, c): x for (o, c), x in claims.items()})
    run_memo.memo(uow)[("claims held",)] = claims


async def hold_claim(uow: UnitOfWork, organization_id: str, claim_id: str, *, exclusive: bool) -> None:
    """adapters/locks.hold_claim, unless the run holds the claim already (as strongly)."""
    held: dict[tuple[str, str], bool] | None = run_memo.memo(uow).get(("claims held",))
    if active(uow) is not None and held is not None:
        mode = held.get((organization_id, claim_id))
        if mode is not None and (mode or not exclusive):
            return
        held[(organization_id, claim_id)] = exclusive or bool(mode)
    await locks.hold_claim(uow.session, organization_id, claim_id, exclusive=exclusive)


def pricings(uow: UnitOfWork, organization_id: str) -> ClaimPricings:
    run = active(uow)
    if run is None:
        return ClaimPricings(uow.session, organization_id)
    return RunPricings(run, organization_id)


async def obligations(uow: UnitOfWork, tracker: Tracker, organization_id: str) -> ObligationRepository:
    repo = await run_memo.obligations(uow, tracker, organization_id)
    run = active(uow)
    return repo if run is None else RunObligations(run, organization_id, repo.zone)


def parked(uow: UnitOfWork, organization_id: str) -> ParkedClaimEvents:
    run = active(uow)
    if run is None:
        return ParkedClaimEvents(uow.session, organization_id)
    return RunParked(run, organization_id)
