"""Reconcile a priced claim with its effective payment; keep its variance current; publish it."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from accord_common.ids import new_id
from accord_common.uow import UnitOfWork

from reimbursement_engine.adapters.claims_repo import ClaimsRepository
from reimbursement_engine.adapters.compute_pool import ComputePool
from reimbursement_engine.adapters.remittance_repo import RemittanceRepository
from reimbursement_engine.adapters.variance_repo import VarianceRepository
from reimbursement_engine.domain.reconciliation import DEFAULT_TOLERANCE, Reconciliation
from reimbursement_engine.domain.root_causes import RootCause, primary_cause
from reimbursement_engine.domain.worklist import WORKED, status_after_reconciling
from reimbursement_engine.handlers import SOURCE
from reimbursement_engine.handlers.reconcile_compute import (
    ChunkRows,
    Reconciled,
    pack,
    reconcile_packed,
    reconcile_rows,
)
from reimbursement_engine.handlers.root_causes import ContextReads, RootCauseContext

SYSTEM = "system"
_CHUNK = 500  # claims reconciled per round of reads and bulk writes (the loop runs between)
_POOL_FROM = 100  # a chunk of fewer priced claims is reconciled here: a worker's round trip costs more


async def reconcile_claim(
    uow: UnitOfWork, org: str, claim_id: str, default_tolerance: Decimal = DEFAULT_TOLERANCE
) -> Reconciliation | None:
    """Compare the claim's expected allowed with its effective payment (if both exist)."""
    return (await reconcile_claims(uow, org, [claim_id], default_tolerance))[0]


async def reconcile_claims(
    uow: UnitOfWork,
    org: str,
    claim_ids: list[str],
    default_tolerance: Decimal = DEFAULT_TOLERANCE,
    pool: ComputePool | None = None,
) -> list[Reconciliation | None]:
    """`reconcile_claim` for many claims, 500 at a time: the claims, their variances, effective
    payments and lines read at once, new variances written in bulk, their events published as one
    batch and written to the outbox. With a `pool`, a chunk is computed in a worker process while
    the event loop writes the chunk before it and reads the one after (a pipeline)."""
    tolerance = await VarianceRepository(uow.session, org).tolerance(default_tolerance)
    contexts = ContextReads(uow.session, org)  # what root causes compare with, read once for the chunks
    results: list[Reconciliation | None] = []
    pending: tuple[_Chunk, asyncio.Future[list[Reconciled]]] | None = None
    try:
        for start in range(0, len(claim_ids), _CHUNK):
            chunk = await _read_chunk(uow, org, claim_ids[start : start + _CHUNK], contexts)
            computing = _compute(chunk, tolerance, pool)
            if pending is not None:
                results += await _write_chunk(uow, org, pending[0], await pending[1])
            pending = (chunk, computing)
        if pending is not None:
            results += await _write_chunk(uow, org, pending[0], await pending[1])
            pending = None
    finally:
        if pending is not None:
            pending[1].cancel()
    return results


@dataclass
class _Chunk:
    """A chunk's claim ids and what was read for them."""

    claim_ids: list[str]
    existing: dict[str, Any]  # variance row by claim id
    rows: ChunkRows  # the priced claims with an effective payment, in order
    priced: list[str]
    context: RootCauseContext | None
    held: dict[str, Any]


async def _read_chunk(uow: UnitOfWork, org: str, claim_ids: list[str], contexts: ContextReads) -> _Chunk:
    session = uow.session
    claims_repo, variances = ClaimsRepository(session, org), VarianceRepository(session, org)
    existing = {row.claim_id: row for row in await variances.in_claims(claim_ids)}
    effective = await RemittanceRepository(session, org).effective_payments(claim_ids)
    claims = await claims_repo.get_many([i for i in claim_ids if i in effective])  # only paid ones compare
    priced = [i for i in claim_ids if i in effective and claims[i].expected_allowed is not None]
    claim_lines = await claims_repo.lines(priced)
    rows = ChunkRows(
        [claims[i] for i in priced],
        [claim_lines[i] for i in priced],
        [effective[i][0] for i in priced],
        [effective[i][1] for i in priced],
    )
    context: RootCauseContext | None = None
    held: dict[str, Any] = {}
    if priced:  # what the chunk's variances compare with, read once
        years = {line.service_date.year for lines in rows.claim_lines for line in lines}
        context, held = await contexts.read(years, rows.claims)
    return _Chunk(claim_ids, existing, rows, priced, context, held)


def _compute(chunk: _Chunk, tolerance: Decimal, pool: ComputePool | None) -> asyncio.Future[list[Reconciled]]:
    """The chunk reconciled (started now, awaited later): in the pool's worker process when there
    is a pool, else in a thread for a large chunk (the event loop meanwhile writes the chunk before
    and reads the one after, and serves other requests), else here at once."""
    large = len(chunk.priced) >= _POOL_FROM
    if pool is not None and chunk.context is not None and large:
        run = pool.run(reconcile_packed, pack(chunk.rows), tolerance, chunk.context, held=chunk.held)
        return asyncio.ensure_future(run)
    if chunk.context is not None and large:
        work = asyncio.to_thread(reconcile_rows, chunk.rows, tolerance, chunk.context, held=chunk.held)
        return asyncio.ensure_future(work)
    done: asyncio.Future[list[Reconciled]] = asyncio.get_running_loop().create_future()
    if chunk.context is None:
        done.set_result([])
    else:
        done.set_result(reconcile_rows(chunk.rows, tolerance, chunk.context, held=chunk.held))
    return done


async def _write_chunk(
    uow: UnitOfWork, org: str, chunk: _Chunk, computed: list[Reconciled]
) -> list[Reconciliation | None]:
    variances = VarianceRepository(uow.session, org)
    writes = _Writes()
    rows = chunk.rows
    by_claim = dict(zip(chunk.priced, zip(rows.claims, rows.payments, computed, strict=True), strict=True))
    now = datetime.now(UTC)  # the chunk's variances stamped alike (one timestamp to format per column)
    results: list[Reconciliation | None] = []
    for claim_id in chunk.claim_ids:
        held = chunk.existing.get(claim_id)
        if claim_id not in by_claim:
            if held is not None and held.status == "open":
                await _set_status(variances, held, "void", "no effective payment (reversed)")
            results.append(None)
            continue
        claim, payment, (result, causes) = by_claim[claim_id]
        variance_id = await _save(variances, writes, held, claim, payment, result, causes, now)
        if result.classification.is_variance:
            writes.events.append((claim.id, _variance_data(variance_id, org, claim, payment, result, now)))
        results.append(result)
    await writes.flush(uow, variances, org)
    await uow.flush_events()
    return results


class _Writes:
    """What a chunk of reconciled claims writes in bulk: new variances, their lines and audit
    entries, and their claim.variance_detected events."""

    def __init__(self) -> None:
        self.variances: list[dict[str, Any]] = []
        self.lines: list[dict[str, Any]] = []
        self.audits: list[tuple[str, str | None, str, str]] = []
        self.events: list[tuple[str, dict[str, Any]]] = []

    async def flush(self, uow: UnitOfWork, repo: VarianceRepository, org: str) -> None:
        await repo.insert_many(self.variances)
        await repo.add_lines(self.lines)
        await repo.audit_many(self.audits)
        uow.publish_batch("claim.variance_detected", source=SOURCE, organization_id=org, items=self.events)


async def retire_variance(uow: UnitOfWork, org: str, claim_id: str, note: str) -> None:
    """A replaced or voided claim's open variance is void (worked ones keep their status)."""
    variances = VarianceRepository(uow.session, org)
    existing = await variances.by_claim(claim_id)
    if existing is not None and existing.status not in WORKED and existing.status != "void":
        await _set_status(variances, existing, "void", note)


async def _set_status(repo: VarianceRepository, row: Any, status: str, note: str) -> None:
    await repo.update(row.id, {"status": status, "updated_at": datetime.now(UTC)})
    await repo.audit(row.id, SYSTEM, row.status, status, note)


def _status(existing: Any, result: Reconciliation) -> str:
    current = None if existing is None else str(existing.status)
    return status_after_reconciling(current, result.classification.is_variance)


def cause_rows(causes: tuple[RootCause, ...]) -> list[dict[str, Any]]:
    return [
        {
            "cause": c.cause.value,
            "line_number": c.line_number,
            "code": c.code,
            "amount": str(c.amount),
            "evidence": c.evidence,
        }
        for c in causes
    ]


def _values(
    payment: Any,
    claim: Any,
    result: Reconciliation,
    status: str,
    now: datetime,
    causes: tuple[RootCause, ...],
) -> dict[str, Any]:
    primary = primary_cause(causes)
    return {
        "root_causes": cause_rows(causes),
        "primary_cause": None if primary is None else primary.value,
        "claim_payment_id": payment.id,
        "classification": result.classification.value,
        "status": status,
        "expected_allowed": result.expected_allowed,
        "paid": result.paid,
        "patient_responsibility": result.patient_responsibility,
        "variance": result.variance,
        "carcs": list(result.carcs),
        "remittance_date": payment.payment_date or payment.paid_date or now.date(),
        "contract_id": claim.contract_id,
        "updated_at": now,
    }


def _line_rows(variance_id: str, result: Reconciliation) -> list[dict[str, Any]]:
    return [
        {
            "variance_id": variance_id,
            "line_number": line.line_number,
            "code": line.code,
            "carc": line.carc,
            "expected_allowed": line.expected_allowed,
            "paid": line.paid,
            "patient_responsibility": line.patient_responsibility,
            "variance": line.variance,
        }
        for line in result.lines
    ]


async def _save(
    repo: VarianceRepository,
    writes: _Writes,
    existing: Any,
    claim: Any,
    payment: Any,
    result: Reconciliation,
    causes: tuple[RootCause, ...],
    now: datetime,
) -> str:
    status = _status(existing, result)
    values = _values(payment, claim, result, status, now, causes)
    classification = values["classification"]
    if existing is None:
        variance_id = new_id()
        values["id"] = variance_id  # the new variance's row: its values and its identity
        values["claim_id"] = claim.id
        values["patient_control_number"] = claim.patient_control_number
        values["payer_id"] = claim.payer_id
        values["created_at"] = now
        writes.variances.append(values)
        writes.audits.append((variance_id, None, status, f"reconciled: {classification}"))
        writes.lines += _line_rows(variance_id, result)
        return variance_id
    variance_id = str(existing.id)
    await repo.update(variance_id, values)
    if existing.status != status:
        await repo.audit(variance_id, SYSTEM, existing.status, status, f"re-reconciled: {classification}")
    await repo.replace_lines(variance_id, _line_rows(variance_id, result))
    return variance_id


def _variance_data(
    variance_id: str, org: str, claim: Any, payment: Any, result: Reconciliation, now: datetime
) -> dict[str, Any]:
    remitted: date = payment.payment_date or payment.paid_date or now.date()
    data = {
        "claim_id": claim.id,
        "organization_id": org,
        "patient_control_number": claim.patient_control_number,
        "payer_id": claim.payer_id,
        "contract_id": claim.contract_id,
        "classification": result.classification.value,
        "expected_allowed": result.expected_allowed,
        "paid_amount": result.paid,
        "patient_responsibility": result.patient_responsibility,
        "variance": result.variance,
        "remittance_date": remitted,
        "carcs": list(result.carcs),
        "variance_id": variance_id,
        "lines": [
            {"line_number": x.line_number, "code": x.code, "carc": x.carc, "variance": str(x.variance)}
            for x in result.lines
        ],
    }
    return data
