"""Remittances in (835 files, JSON, claim.paid events): store, match, reconcile, publish.

A refused file stores nothing: parsing and the balancing checks run before the transaction opens,
and everything a file holds commits (or not) in one unit of work. A file already held (same
SHA-256) or a payment already held (same payer and trace number) changes nothing.
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from accord_common.ids import new_id
from accord_common.uow import UnitOfWork

from reimbursement_engine.adapters.claims_repo import ClaimsRepository
from reimbursement_engine.adapters.recovery_repo import RecoveryRepository
from reimbursement_engine.adapters.remittance_repo import RemittanceRepository
from reimbursement_engine.adapters.remittance_rows import line_row, payment_row, plb_rows, remittance_row
from reimbursement_engine.domain.reconciliation import DEFAULT_TOLERANCE
from reimbursement_engine.domain.take_backs import link
from reimbursement_engine.domain.x12 import (
    REFUSING_RULES,
    REVERSAL,
    ClaimPayment,
    Transaction835,
    X12Error,
    X12Refusal,
    parse_835,
    validate_835,
)
from reimbursement_engine.handlers import SOURCE
from reimbursement_engine.handlers.reconcile import reconcile_claims
from reimbursement_engine.handlers.x12_refusal import refusal

_YIELD_EVERY = 500  # claims handled between two returns to the event loop


@dataclass
class IngestSummary:
    file_id: str | None
    duplicate: bool = False
    transactions: int = 0
    skipped_transactions: int = 0
    claims: int = 0
    matched: int = 0
    reversals: int = 0
    total_paid: Decimal = Decimal(0)
    classifications: dict[str, int] = field(default_factory=dict)


def parse_checked(raw: bytes) -> list[Transaction835]:
    """Parse an 835 and refuse it (422 listing every breach with segment and rule) when malformed,
    its envelope counts or control numbers are wrong, or it does not balance."""
    try:
        remittance = parse_835(raw)
        refusing = [f.breach for f in validate_835(remittance) if f.rule in REFUSING_RULES]
        if refusing:
            raise X12Refusal(refusing)
    except X12Error as exc:
        raise refusal("835", exc) from None
    return list(remittance.transactions)


def _parsed_and_hashed(raw: bytes) -> tuple[list[Transaction835], str]:
    return parse_checked(raw), hashlib.sha256(raw).hexdigest()


async def ingest_835(
    uow: UnitOfWork, org: str, raw: bytes, tolerance: Decimal = DEFAULT_TOLERANCE
) -> IngestSummary:
    # Parsing is CPU-bound (seconds for a large file): a worker thread, so other requests go on.
    transactions, sha = await asyncio.to_thread(_parsed_and_hashed, raw)
    async with uow:
        repo = RemittanceRepository(uow.session, org)
        held = await repo.file_by_hash(sha)
        if held is not None:
            counts = await repo.counts(held.id)
            return IngestSummary(held.id, True, counts["transactions"], 0, counts["claims"])
        file_id = new_id()
        await repo.add_file(
            {
                "id": file_id,
                "sha256": sha,
                "kind": "x12",
                "byte_count": len(raw),
                "received_at": datetime.now(UTC),
            }
        )
        summary = IngestSummary(file_id)
        await store_transactions(uow, org, transactions, summary, tolerance=tolerance, publish_paid=True)
        await uow.commit()
    return summary


async def store_transactions(
    uow: UnitOfWork,
    org: str,
    transactions: list[Transaction835],
    summary: IngestSummary,
    *,
    tolerance: Decimal,
    publish_paid: bool,
) -> None:
    repo = RemittanceRepository(uow.session, org)
    touched: list[str] = []
    for transaction in transactions:
        payer_id = transaction.payer.id or transaction.trace_originator_id
        if await repo.trace_seen(payer_id, transaction.trace_number):
            summary.skipped_transactions += 1
            continue
        summary.transactions += 1
        summary.total_paid += transaction.total_paid
        touched += await _store_transaction(uow, org, transaction, payer_id, summary, publish_paid)
    for result in await reconcile_claims(uow, org, list(dict.fromkeys(touched)), tolerance):
        if result is not None:
            name = result.classification.value
            summary.classifications[name] = summary.classifications.get(name, 0) + 1


async def _store_transaction(
    uow: UnitOfWork, org: str, t: Transaction835, payer_id: str, summary: IngestSummary, publish_paid: bool
) -> list[str]:
    repo = RemittanceRepository(uow.session, org)
    remittance_id = new_id()
    paid_on = t.payment_date or t.production_date
    await repo.add_remittance(remittance_row(remittance_id, summary.file_id, t, payer_id, paid_on))
    payments, lines, touched, paid_events = [], [], [], []
    for n, (claim, claim_id) in enumerate(zip(t.claims, await _match(uow, org, t.claims), strict=True)):
        if n % _YIELD_EVERY == 0:
            await asyncio.sleep(0)  # a large file: let the service's other requests in
        payment_id = new_id()
        payments.append(payment_row(payment_id, org, remittance_id, claim, claim_id, paid_on))
        lines += [line_row(payment_id, i, line) for i, line in enumerate(claim.lines)]
        summary.claims += 1
        if claim_id is not None:
            summary.matched += 1
            touched.append(claim_id)
        if publish_paid:
            paid_events.append(_paid_event(org, payer_id, claim, claim_id, paid_on, remittance_id))
    for start in range(0, len(paid_events), _YIELD_EVERY):
        await asyncio.sleep(0)
        chunk = paid_events[start : start + _YIELD_EVERY]
        uow.publish_batch("claim.paid", source=SOURCE, organization_id=org, items=chunk)
    plb = await _linked_plb(uow, org, plb_rows(remittance_id, t), payments)
    await repo.add_payments(payments, lines, plb)
    for claim, row in zip(t.claims, payments, strict=True):
        if claim.status_code == REVERSAL:
            summary.reversals += await _reverse(repo, claim, row["id"], remittance_id)
    return touched


async def _linked_plb(
    uow: UnitOfWork, org: str, rows: list[dict[str, Any]], payments: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Each PLB row tied to the claim its PLB03-2 reference names: a claim paid in this remittance
    or an earlier one (by the payer's claim control number), or a claim by patient control number."""
    references = [str(r["reference"]) for r in rows if r["reference"]]
    known = await RecoveryRepository(uow.session, org).claims_for_references(references)
    for payment in payments:
        for key in (payment["payer_claim_control_number"], payment["patient_control_number"]):
            if key and payment["claim_id"]:
                known.setdefault(key, payment["claim_id"])
    claim_ids = link([r["reference"] for r in rows], known)
    return [{**r, "organization_id": org, "claim_id": c} for r, c in zip(rows, claim_ids, strict=True)]


async def _match(uow: UnitOfWork, org: str, claims: tuple[ClaimPayment, ...]) -> list[str | None]:
    """Each payment's claim: by patient control number; else by the payer claim control number of an
    earlier payment (two queries per transaction, not one or two per claim)."""
    by_pcn = await ClaimsRepository(uow.session, org).ids_by_pcn([c.patient_control_number for c in claims])
    ccns = [c.payer_claim_control_number for c in claims if c.patient_control_number not in by_pcn]
    by_ccn = await RemittanceRepository(uow.session, org).claims_for_payer_ccns([c for c in ccns if c])
    return [
        by_pcn.get(c.patient_control_number)
        or (by_ccn.get(c.payer_claim_control_number) if c.payer_claim_control_number else None)
        for c in claims
    ]


async def _reverse(
    repo: RemittanceRepository, claim: ClaimPayment, reversal_id: str, remittance_id: str
) -> int:
    original = await repo.reversible(
        claim.patient_control_number, claim.payer_claim_control_number, remittance_id
    )
    if original is None or original.id == reversal_id:
        return 0
    await repo.mark_reversed(original.id, reversal_id)
    return 1


def _paid_event(
    org: str, payer_id: str, c: ClaimPayment, claim_id: str | None, paid_on: date | None, remittance_id: str
) -> tuple[str, dict[str, Any]]:
    """claim.paid for one payment, as (subject, payload) for `UnitOfWork.publish_batch`."""
    data = {
        "claim_id": claim_id,
        "organization_id": org,
        "patient_control_number": c.patient_control_number,
        "payer_id": payer_id,
        "paid_amount": c.paid,
        "patient_responsibility": c.total_patient_responsibility,  # same figure as the stored payment
        "paid_date": paid_on or datetime.now(UTC).date(),
        "remittance_id": remittance_id,
        "payer_claim_control_number": c.payer_claim_control_number or None,
        "claim_status_code": c.status_code,
    }
    return claim_id or f"pcn:{c.patient_control_number}", data


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
