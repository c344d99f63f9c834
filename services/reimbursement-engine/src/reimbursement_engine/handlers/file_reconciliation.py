"""A stored 835's claims reconciled a chunk a transaction, resumed after a stop.

The upload stores the file, its payments and their claim.paid events in one transaction, and with
them the queue of the claims it paid (adapters/reconcile_queue.py). Each chunk of that queue is then
reconciled in a transaction of its own: the chunk leaves the queue, its variances and their
claim.variance_detected events are written, the file's counts move on, all committed together. So
the worklist and the tracker see the first variances while the rest are reconciled, and a process
that stops between chunks leaves exactly the unreconciled claims queued: `resume_stalled` (the
sweeper, every process) finishes any file without progress for a while.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from accord_common.outages import OutageLog, is_infrastructure_failure
from accord_common.uow import UnitOfWork

from reimbursement_engine.adapters.compute_pool import ComputePool
from reimbursement_engine.adapters.reconcile_queue import (
    RECONCILED,
    RECONCILING,
    FileReconciliation,
    ReconcileQueue,
    stalled_files,
)
from reimbursement_engine.handlers.reconcile import reconcile_claims

log = logging.getLogger(__name__)
# claims a transaction: reconcile_claims reconciles them 500 at a time, computing the second 500
# while the first are written; a chunk of 500 left that pipeline idle, and 1,000 took the 835 bench
# from 1,815 to 1,942 claims/s end to end (six alternated pairs, docs/benchmarks.md)
CHUNK = 1000


async def reconcile_file(
    uow: UnitOfWork, org: str, file_id: str, tolerance: Decimal, pool: ComputePool | None = None
) -> FileReconciliation | None:
    """Reconcile the file's queued claims, a chunk a transaction, until none is left; its state
    then (None when the organisation has no such file)."""
    while True:
        async with uow:
            queue = ReconcileQueue(uow.session, org)
            taken = await queue.peek(file_id, CHUNK)
            claim_ids = [claim_id for _, claim_id in taken]
            results = await reconcile_claims(uow, org, claim_ids, tolerance, pool) if claim_ids else []
            if not await queue.remove(file_id, taken):
                continue  # another transaction reconciled this chunk: rolled back, next chunk
            if not await queue.hold(file_id, datetime.now(UTC)):
                return None
            counts = Counter(r.classification.value for r in results if r is not None)
            state = await queue.record(file_id, len(claim_ids), counts, datetime.now(UTC))
            await uow.commit()
        if not claim_ids or state.status != RECONCILING:
            return state


async def file_state(uow: UnitOfWork, org: str, file_id: str) -> FileReconciliation | None:
    async with uow:
        return await ReconcileQueue(uow.session, org).state(file_id)


async def resume_stalled(
    uow_factory: Callable[[], UnitOfWork],
    tolerance: Decimal,
    stalled_for: timedelta,
    pool: ComputePool | None = None,
    limit: int = 20,
) -> int:
    """One sweep: finish the files still reconciling with no progress for `stalled_for`; returns
    how many it finished."""
    async with uow_factory() as uow:
        files = await stalled_files(uow.session, datetime.now(UTC) - stalled_for, limit)
    finished = 0
    for org, file_id in files:
        state = await reconcile_file(uow_factory(), org, file_id, tolerance, pool)
        if state is not None and state.status == RECONCILED:
            finished += 1
            log.info("stalled remittance file reconciled", extra={"file_id": file_id})
    return finished


async def sweep_forever(
    uow_factory: Callable[[], UnitOfWork],
    tolerance: Decimal,
    interval_s: float,
    stalled_for: timedelta,
    pool: ComputePool | None = None,
) -> None:
    """`resume_stalled` every `interval_s` (a failing sweep is logged, an outage once, and tried
    again)."""
    outage = OutageLog(log, "stalled remittance file sweeper")
    while True:
        try:
            await resume_stalled(uow_factory, tolerance, stalled_for, pool)
            outage.recovered()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            if is_infrastructure_failure(exc):
                outage.failed(exc)
            else:
                log.exception("sweep of stalled remittance files failed; trying again")
        await asyncio.sleep(interval_s)
