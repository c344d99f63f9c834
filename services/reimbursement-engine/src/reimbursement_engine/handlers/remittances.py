"""Remittances in (835 files, JSON, claim.paid events): store, match, reconcile, publish.

An 835 streams: it is read a batch of claims at a time (in a worker thread: reading is CPU-bound,
so other requests go on), each batch stored and published (`RemittanceStore`) before the next is
read, all inside one unit of work. The balancing totals and envelope counts are kept as the claims
pass and checked once the file is read: a refused file rolls the whole upload back, so it stores
nothing. A file already held (same SHA-256) or a payment already held (same payer and trace
number) changes nothing. The stored file's paid claims are then reconciled a chunk a transaction
(handlers/file_reconciliation.py); a JSON remittance or a claim.paid is reconciled in its one.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal

from accord_common.ids import new_id
from accord_common.uow import UnitOfWork

from reimbursement_engine.adapters.compute_pool import ComputePool
from reimbursement_engine.adapters.reconcile_queue import ReconcileQueue
from reimbursement_engine.adapters.remittance_repo import RemittanceRepository
from reimbursement_engine.domain.reconciliation import DEFAULT_TOLERANCE
from reimbursement_engine.domain.x12 import ClaimPayment, Transaction835, X12Error, checked_835
from reimbursement_engine.handlers.file_reconciliation import reconcile_file
from reimbursement_engine.handlers.remittance_store import BATCH, IngestSummary, Item, RemittanceStore
from reimbursement_engine.handlers.x12_refusal import refusal

__all__ = ["IngestSummary", "ingest_835", "ingest_transaction", "store_835", "store_transactions"]


async def ingest_835(
    uow: UnitOfWork,
    org: str,
    raw: bytes | bytearray,
    tolerance: Decimal = DEFAULT_TOLERANCE,
    pool: ComputePool | None = None,
) -> IngestSummary:
    """`store_835`, then its claims reconciled (`reconcile_file`: a chunk a transaction, in
    `pool`'s worker process when given, else off the event loop); the summary counts them."""
    summary = await store_835(uow, org, raw)
    if summary.file_id is not None and not summary.duplicate:
        state = await reconcile_file(uow, org, summary.file_id, tolerance, pool)
        if state is not None:
            summary.classifications = state.classifications
    return summary


async def store_835(uow: UnitOfWork, org: str, raw: bytes | bytearray) -> IngestSummary:
    """Store an 835 and queue the claims it paid for reconciling (422 listing every breach with
    segment and rule, nothing stored, when it is malformed, its envelope counts or control numbers
    are wrong, or it does not balance). `raw`, the body as read, is held once: decoded a window at
    a time as it is parsed."""
    sha = await asyncio.to_thread(lambda: hashlib.sha256(raw).hexdigest())
    async with uow:
        repo = RemittanceRepository(uow.session, org)
        held = await repo.file_by_hash(sha)
        if held is not None:
            counts = await repo.counts(held.id)
            return IngestSummary(held.id, True, counts["transactions"], 0, counts["claims"])
        file_id = new_id()
        received = datetime.now(UTC)
        await repo.add_file(
            {"id": file_id, "sha256": sha, "kind": "x12", "byte_count": len(raw), "received_at": received}
        )
        summary = IngestSummary(file_id)
        store = RemittanceStore(uow, org, summary, publish_paid=True)
        items = checked_835(raw)
        reading = asyncio.ensure_future(asyncio.to_thread(_next_batch, items))
        try:
            while batch := await reading:
                # the next batch is read (in a thread) while this one is written: the parse fills
                # the event loop's waits on the database
                reading = asyncio.ensure_future(asyncio.to_thread(_next_batch, items))
                await store.take(batch)
        except X12Error as exc:
            raise refusal("835", exc) from None
        finally:
            if not reading.done():  # a failed write: the read under way ends before the file goes
                await asyncio.gather(reading, return_exceptions=True)
        await ReconcileQueue(uow.session, org).enqueue(file_id, list(store.paid_claims), received)
        await uow.commit()
    return summary


def _next_batch(items: Iterator[Item]) -> list[Item]:
    """The next items of the file, up to BATCH claims (an empty list once it is all read)."""
    batch: list[Item] = []
    claims = 0
    for item in items:
        batch.append(item)
        if isinstance(item, ClaimPayment):
            claims += 1
            if claims == BATCH:
                break
    return batch


async def store_transactions(
    uow: UnitOfWork,
    org: str,
    transactions: list[Transaction835],
    summary: IngestSummary,
    *,
    tolerance: Decimal,
    publish_paid: bool,
) -> None:
    """Transactions already read whole (a JSON remittance, a claim.paid): stored as an 835's are."""
    store = RemittanceStore(uow, org, summary, publish_paid=publish_paid)
    for transaction in transactions:
        await store.open_transaction(transaction.payment)
        claims = transaction.claims
        for start in range(0, len(claims), BATCH):
            await store.add_claims(claims[start : start + BATCH])
        await store.close_transaction(transaction)
    await store.reconcile(tolerance)


async def ingest_transaction(
    uow: UnitOfWork, org: str, transaction: Transaction835, *, tolerance: Decimal, publish_paid: bool
) -> IngestSummary:
    """A JSON remittance or a billing system's claim.paid: stored and reconciled like an 835."""
    summary = IngestSummary(None)
    async with uow:
        await store_transactions(
            uow, org, [transaction], summary, tolerance=tolerance, publish_paid=publish_paid
        )
        await uow.commit()
    return summary
