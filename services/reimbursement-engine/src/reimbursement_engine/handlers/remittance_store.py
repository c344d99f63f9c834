"""Store a remittance's payments as they are read, a few hundred claims at a time, in one unit of work.

`RemittanceStore` takes what `checked_835` gives (or a JSON remittance's transactions) in file
order: a transaction's payment opens it (skipped when the payer's trace is already held), each batch
of claims is matched, stored and its claim.paid events written to the outbox at once, the PLB closes
the transaction. What it keeps between batches is per claim only the ids of the claims paid (to
reconcile each once, at the end, in its final state) and, per transaction, the keys a PLB may name.
Nothing commits here: the caller commits once, or rolls the whole upload back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from accord_common.ids import new_id
from accord_common.uow import UnitOfWork

from reimbursement_engine.adapters.claims_repo import ClaimsRepository
from reimbursement_engine.adapters.remittance_repo import RemittanceRepository
from reimbursement_engine.adapters.remittance_rows import line_row, payment_row, plb_rows, remittance_row
from reimbursement_engine.domain.take_backs import link
from reimbursement_engine.domain.x12 import (
    REVERSAL,
    ClaimPayment,
    Payment835,
    Transaction835,
)
from reimbursement_engine.handlers import SOURCE
from reimbursement_engine.handlers.reconcile import reconcile_claims

BATCH = 500  # claims stored, published or reconciled at a time
Item = Payment835 | ClaimPayment | Transaction835


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


@dataclass
class _Open:
    """The transaction being stored: its remittance row's id, payer, date, and the claim each key
    of its matched payments (payer claim control number, patient control number) names first."""

    remittance_id: str
    payer_id: str
    paid_on: date | None
    keys: dict[str, str] = field(default_factory=dict)


class RemittanceStore:
    def __init__(self, uow: UnitOfWork, org: str, summary: IngestSummary, *, publish_paid: bool) -> None:
        self.uow, self.org, self.summary, self.publish_paid = uow, org, summary, publish_paid
        self.repo = RemittanceRepository(uow.session, org)
        self.paid_claims: dict[str, None] = {}  # claim ids in the order first paid
        self.open: _Open | None = None

    async def take(self, items: Sequence[Item]) -> None:
        """Items in file order: runs of claims stored a run at a time."""
        claims: list[ClaimPayment] = []
        for item in items:
            if isinstance(item, ClaimPayment):
                claims.append(item)
                continue
            await self.add_claims(claims)
            claims = []
            if isinstance(item, Payment835):
                await self.open_transaction(item)
            else:
                await self.close_transaction(item)
        await self.add_claims(claims)

    async def open_transaction(self, payment: Payment835) -> None:
        """The remittance row; none (and its claims not stored) when its trace is already held."""
        payer_id = payment.payer.id or payment.trace_originator_id
        self.open = None
        if await self.repo.trace_seen(payer_id, payment.trace_number):
            self.summary.skipped_transactions += 1
            return
        self.summary.transactions += 1
        self.summary.total_paid += payment.total_paid
        remittance_id, paid_on = new_id(), payment.payment_date or payment.production_date
        await self.repo.add_remittance(
            remittance_row(remittance_id, self.summary.file_id, payment, payer_id, paid_on)
        )
        self.open = _Open(remittance_id, payer_id, paid_on)

    async def add_claims(self, claims: Sequence[ClaimPayment]) -> None:
        """A batch of the open transaction's claims: matched, stored with their lines, claim.paid
        written to the outbox, reversals applied."""
        t = self.open
        if t is None or not claims:
            return
        payments, lines, events = [], [], []
        for claim, claim_id in zip(claims, await self._match(claims, t.remittance_id), strict=True):
            payment_id = new_id()
            payments.append(payment_row(payment_id, self.org, t.remittance_id, claim, claim_id, t.paid_on))
            lines += [line_row(payment_id, i, line) for i, line in enumerate(claim.lines)]
            self.summary.claims += 1
            if claim_id is not None:
                self.summary.matched += 1
                self.paid_claims[claim_id] = None
                for key in (claim.payer_claim_control_number, claim.patient_control_number):
                    if key:
                        t.keys.setdefault(key, claim_id)
            if self.publish_paid:
                events.append(_paid_event(self.org, t, claim, claim_id))
        await self.repo.add_payments(payments, lines)
        self.uow.publish_batch("claim.paid", source=SOURCE, organization_id=self.org, items=events)
        await self.uow.flush_events()
        for claim, row in zip(claims, payments, strict=True):
            if claim.status_code == REVERSAL:
                self.summary.reversals += await self._reverse(claim, row["id"], t.remittance_id)

    async def close_transaction(self, transaction: Transaction835) -> None:
        """The transaction's PLB adjustments, each tied to the claim its reference names."""
        t, self.open = self.open, None
        if t is None:
            return
        rows = plb_rows(t.remittance_id, transaction)
        references = [str(r["reference"]) for r in rows if r["reference"]]
        known = await self.repo.claims_for_references(references, t.remittance_id)
        for key, claim_id in t.keys.items():  # this remittance's payments come after earlier ones
            known.setdefault(key, claim_id)
        claim_ids = link([r["reference"] for r in rows], known)
        await self.repo.add_provider_adjustments(
            [{**r, "organization_id": self.org, "claim_id": c} for r, c in zip(rows, claim_ids, strict=True)]
        )

    async def reconcile(self, tolerance: Decimal) -> None:
        """Each claim paid, once, in its final state (after every payment and reversal stored), a
        batch at a time, its claim.variance_detected written to the outbox batch by batch (in the
        unit of work's one transaction: a JSON remittance or a claim.paid; an 835's are queued and
        reconciled a chunk a transaction, handlers/file_reconciliation.py)."""
        results = await reconcile_claims(self.uow, self.org, list(self.paid_claims), tolerance)
        for result in results:
            if result is not None:
                name = result.classification.value
                self.summary.classifications[name] = self.summary.classifications.get(name, 0) + 1

    async def _match(self, claims: Sequence[ClaimPayment], remittance_id: str) -> list[str | None]:
        """Each payment's claim: by patient control number; else by the payer claim control number
        of a payment of an earlier remittance (two queries per batch, not one or two per claim)."""
        pcns = [c.patient_control_number for c in claims]
        by_pcn = await ClaimsRepository(self.uow.session, self.org).ids_by_pcn(pcns)
        ccns = [c.payer_claim_control_number for c in claims if c.patient_control_number not in by_pcn]
        by_ccn = await self.repo.claims_for_payer_ccns([c for c in ccns if c], other_than=remittance_id)
        return [
            by_pcn.get(c.patient_control_number)
            or (by_ccn.get(c.payer_claim_control_number) if c.payer_claim_control_number else None)
            for c in claims
        ]

    async def _reverse(self, claim: ClaimPayment, reversal_id: str, remittance_id: str) -> int:
        original = await self.repo.reversible(
            claim.patient_control_number, claim.payer_claim_control_number, remittance_id
        )
        if original is None or original.id == reversal_id:
            return 0
        await self.repo.mark_reversed(original.id, reversal_id)
        return 1


def _paid_event(org: str, t: _Open, c: ClaimPayment, claim_id: str | None) -> tuple[str, dict[str, Any]]:
    """claim.paid for one payment, as (subject, payload) for `UnitOfWork.publish_batch`."""
    data = {
        "claim_id": claim_id,
        "organization_id": org,
        "patient_control_number": c.patient_control_number,
        "payer_id": t.payer_id,
        "paid_amount": c.paid,
        "patient_responsibility": c.total_patient_responsibility,  # same figure as the stored payment
        "paid_date": t.paid_on or datetime.now(UTC).date(),
        "remittance_id": t.remittance_id,
        "payer_claim_control_number": c.payer_claim_control_number or None,
        "claim_status_code": c.status_code,
    }
    return claim_id or f"pcn:{c.patient_control_number}", data
