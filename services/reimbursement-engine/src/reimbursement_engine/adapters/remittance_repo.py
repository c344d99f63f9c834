"""Remittances: files, payments (BPR/TRN), claim and line payments, PLB adjustments."""

from __future__ import annotations

from typing import Any

from accord_common.bulk import insert_rows
from accord_common.sql_sets import among, on_postgresql, parts, planned_for_their_values
from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from reimbursement_engine.adapters.orm import (
    claim_payments,
    claims,
    line_payments,
    provider_adjustments,
    remittance_files,
    remittances,
)
from reimbursement_engine.domain.x12 import REVERSAL

_CHUNK = 5000
# the columns of a payment and its lines reconciliation reads (not the charges or remark codes)
_PAYMENT_RECONCILED = tuple(
    claim_payments.c[name]
    for name in (
        *("id", "claim_id", "status_code", "paid", "patient_responsibility"),
        *("adjustments", "paid_date"),
    )
)
_LINE_RECONCILED = tuple(
    line_payments.c[name]
    for name in (
        "claim_payment_id",
        "code",
        "modifiers",
        "paid",
        "allowed",
        "line_control_number",
        "adjustments",
        "original_code",
    )
)


class RemittanceRepository:
    def __init__(self, session: AsyncSession, organization_id: str) -> None:
        self.session = session
        self.org = organization_id

    async def file_by_hash(self, sha256: str) -> Any:
        return (
            await self.session.execute(
                select(remittance_files).where(
                    remittance_files.c.organization_id == self.org, remittance_files.c.sha256 == sha256
                )
            )
        ).first()

    async def add_file(self, row: dict[str, Any]) -> None:
        await self.session.execute(insert(remittance_files).values(organization_id=self.org, **row))

    async def trace_seen(self, payer_id: str, trace_number: str) -> bool:
        found = await self.session.scalar(
            select(remittances.c.id).where(
                remittances.c.organization_id == self.org,
                remittances.c.payer_id == payer_id,
                remittances.c.trace_number == trace_number,
            )
        )
        return found is not None

    async def add_remittance(self, row: dict[str, Any]) -> None:
        await self.session.execute(insert(remittances).values(organization_id=self.org, **row))

    async def add_payments(self, payments: list[dict[str, Any]], lines: list[dict[str, Any]]) -> None:
        for table, rows in ((claim_payments, payments), (line_payments, lines)):
            await insert_rows(self.session, table, rows)

    async def add_provider_adjustments(self, rows: list[dict[str, Any]]) -> None:
        await insert_rows(self.session, provider_adjustments, rows)

    async def reversible(self, pcn: str, payer_ccn: str | None, remittance_id: str) -> Any:
        """The payment a reversal undoes: the claim's latest earlier payment not already reversed."""
        query = select(claim_payments).where(
            claim_payments.c.organization_id == self.org,
            claim_payments.c.remittance_id != remittance_id,
            claim_payments.c.patient_control_number == pcn,
            claim_payments.c.status_code != REVERSAL,
            claim_payments.c.reversed_by.is_(None),
        )
        rows = (await self.session.execute(query.order_by(claim_payments.c.paid_date))).all()
        exact = [r for r in rows if payer_ccn and r.payer_claim_control_number == payer_ccn]
        chosen = exact or rows
        return chosen[-1] if chosen else None

    async def mark_reversed(self, payment_id: str, reversal_id: str) -> None:
        await self.session.execute(
            update(claim_payments).where(claim_payments.c.id == payment_id).values(reversed_by=reversal_id)
        )
        await self.session.execute(
            update(claim_payments).where(claim_payments.c.id == reversal_id).values(reverses=payment_id)
        )

    async def claim_for_payer_ccn(self, payer_ccn: str) -> str | None:
        """A later remittance may name the claim by the payer's claim control number only."""
        found: str | None = await self.session.scalar(
            select(claim_payments.c.claim_id).where(
                claim_payments.c.organization_id == self.org,
                claim_payments.c.payer_claim_control_number == payer_ccn,
                claim_payments.c.claim_id.is_not(None),
            )
        )
        return found

    async def claims_for_payer_ccns(
        self, payer_ccns: list[str], other_than: str | None = None
    ) -> dict[str, str]:
        """`claim_for_payer_ccn` for many payer claim control numbers at once; with `other_than`,
        from the payments of remittances other than that one only."""
        found: dict[str, str] = {}
        unique = list(dict.fromkeys(payer_ccns))
        pg = on_postgresql(self.session)
        async with planned_for_their_values(self.session):
            for part in parts(unique, pg):
                query = select(claim_payments.c.payer_claim_control_number, claim_payments.c.claim_id).where(
                    claim_payments.c.organization_id == self.org,
                    among(claim_payments.c.payer_claim_control_number, part, pg),
                    claim_payments.c.claim_id.is_not(None),
                )
                if other_than is not None:
                    query = query.where(claim_payments.c.remittance_id != other_than)
                for row in await self.session.execute(query):
                    found.setdefault(row.payer_claim_control_number, row.claim_id)
        return found

    async def claims_for_references(self, references: list[str], other_than: str) -> dict[str, str]:
        """Claim ids by a payer claim control number of one of their payments in a remittance other
        than `other_than`, or by their patient control number (a PLB03-2 reference names either)."""
        found = await self.claims_for_payer_ccns(references, other_than)
        if not references:
            return found
        by_pcn = await self.session.execute(
            select(claims.c.patient_control_number, claims.c.id).where(
                claims.c.organization_id == self.org, claims.c.patient_control_number.in_(references)
            )
        )
        for row in by_pcn.all():
            found.setdefault(row.patient_control_number, row.id)
        return found

    async def effective_payment(self, claim_id: str) -> tuple[Any, list[Any]] | None:
        """The claim's latest payment that no reversal undid, with its lines."""
        rows = (
            await self.session.execute(
                select(claim_payments, remittances.c.payment_date)
                .join(remittances, remittances.c.id == claim_payments.c.remittance_id)
                .where(
                    claim_payments.c.claim_id == claim_id,
                    claim_payments.c.status_code != REVERSAL,
                    claim_payments.c.reversed_by.is_(None),
                )
                .order_by(remittances.c.received_at, claim_payments.c.id)
            )
        ).all()
        if not rows:
            return None
        payment = rows[-1]
        lines = (
            await self.session.execute(
                select(line_payments)
                .where(line_payments.c.claim_payment_id == payment.id)
                .order_by(line_payments.c.line_index)
            )
        ).all()
        return payment, list(lines)

    async def effective_payments(self, claim_ids: list[str]) -> dict[str, tuple[Any, list[Any]]]:
        """`effective_payment` for many claims at once, the columns reconciliation reads: two
        queries (one array each on PostgreSQL, parts on SQLite: accord_common.sql_sets)."""
        chosen: dict[str, Any] = {}
        pg = on_postgresql(self.session)
        async with planned_for_their_values(self.session):
            for part in parts(claim_ids, pg):
                rows = await self.session.execute(
                    select(*_PAYMENT_RECONCILED, remittances.c.payment_date)
                    .join(remittances, remittances.c.id == claim_payments.c.remittance_id)
                    .where(
                        among(claim_payments.c.claim_id, part, pg),
                        claim_payments.c.status_code != REVERSAL,
                        claim_payments.c.reversed_by.is_(None),
                    )
                    .order_by(remittances.c.received_at, claim_payments.c.id)
                )
                chosen.update((row.claim_id, row) for row in rows)  # the last in order wins
        lines: dict[str, list[Any]] = {payment.id: [] for payment in chosen.values()}
        for part in parts(list(lines), pg):  # the lines' key leads with the payment: any plan is it
            found = await self.session.execute(
                select(*_LINE_RECONCILED)
                .where(among(line_payments.c.claim_payment_id, part, pg))
                .order_by(line_payments.c.claim_payment_id, line_payments.c.line_index)
            )
            for line in found:
                lines[line.claim_payment_id].append(line)
        return {claim_id: (payment, lines[payment.id]) for claim_id, payment in chosen.items()}

    async def attach_unmatched(self, claim_ids_by_pcn: dict[str, str]) -> set[str]:
        """Payments that arrived before their claim (no claim id, same patient control number) now
        belong to it; answers the claim ids that received any."""
        pcns = list(claim_ids_by_pcn)
        attached: set[str] = set()
        for start in range(0, len(pcns), _CHUNK):
            rows = await self.session.execute(
                select(claim_payments.c.id, claim_payments.c.patient_control_number).where(
                    claim_payments.c.organization_id == self.org,
                    claim_payments.c.claim_id.is_(None),
                    claim_payments.c.patient_control_number.in_(pcns[start : start + _CHUNK]),
                )
            )
            for row in rows.all():
                claim_id = claim_ids_by_pcn[row.patient_control_number]
                await self.session.execute(
                    update(claim_payments).where(claim_payments.c.id == row.id).values(claim_id=claim_id)
                )
                attached.add(claim_id)
        return attached

    async def move_payments(self, from_claim: str, to_claim: str) -> int:
        """A replacement claim takes over the payments of the claim it supersedes."""
        result = await self.session.execute(
            update(claim_payments).where(claim_payments.c.claim_id == from_claim).values(claim_id=to_claim)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def payments_of(self, claim_id: str) -> list[Any]:
        rows = await self.session.execute(
            select(claim_payments)
            .where(claim_payments.c.claim_id == claim_id)
            .order_by(claim_payments.c.paid_date)
        )
        return list(rows.all())

    async def counts(self, file_id: str) -> dict[str, int]:
        ids = list(
            await self.session.scalars(select(remittances.c.id).where(remittances.c.file_id == file_id))
        )
        payments = list(
            await self.session.scalars(
                select(claim_payments.c.id).where(claim_payments.c.remittance_id.in_(ids))
            )
        )
        return {"transactions": len(ids), "claims": len(payments)}
