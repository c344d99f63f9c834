"""Recovery reads and settings: open variances for triage, take-backs tied to claims, the
organisation's triage rules and its named canary claim sets."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from reimbursement_engine.adapters.orm import (
    canary_sets,
    claim_payments,
    claims,
    provider_adjustments,
    remittances,
    triage_rules,
    variance_lines,
    variances,
)

RECOVERABLE = ("underpaid", "partly_denied", "denied")
_CHUNK = 5000


class RecoveryRepository:
    def __init__(self, session: AsyncSession, organization_id: str) -> None:
        self.session = session
        self.org = organization_id

    async def rules(self) -> Any:
        query = select(triage_rules).where(triage_rules.c.organization_id == self.org)
        return (await self.session.execute(query)).first()

    async def set_rules(self, values: dict[str, Any]) -> None:
        await self.session.execute(delete(triage_rules).where(triage_rules.c.organization_id == self.org))
        await self.session.execute(
            insert(triage_rules).values(organization_id=self.org, updated_at=datetime.now(UTC), **values)
        )

    async def open_recoverable(self, status: str) -> list[tuple[Any, list[str]]]:
        """Variances in `status` the payer owes on, with their claim's first date of service and the
        codes of their lines with a variance."""
        query = (
            select(variances, claims.c.service_date)
            .join(claims, claims.c.id == variances.c.claim_id)
            .where(
                variances.c.organization_id == self.org,
                variances.c.status == status,
                variances.c.classification.in_(RECOVERABLE),
            )
            .order_by(variances.c.id)
        )
        rows = (await self.session.execute(query)).all()
        codes: dict[str, list[str]] = {row.id: [] for row in rows}
        ids = list(codes)
        for start in range(0, len(ids), _CHUNK):
            found = await self.session.execute(
                select(variance_lines.c.variance_id, variance_lines.c.code, variance_lines.c.variance).where(
                    variance_lines.c.variance_id.in_(ids[start : start + _CHUNK])
                )
            )
            for line in found.all():
                if line.variance:
                    codes[line.variance_id].append(line.code)
        return [(row, codes[row.id]) for row in rows]

    async def take_backs(self) -> list[Any]:
        """Provider-level adjustments tied to a claim (PLB03-2), with the claim and remittance."""
        query = (
            select(
                provider_adjustments,
                claims.c.patient_control_number,
                claims.c.payer_id,
                claims.c.contract_id,
                remittances.c.trace_number,
                remittances.c.payment_date,
            )
            .join(claims, claims.c.id == provider_adjustments.c.claim_id)
            .join(remittances, remittances.c.id == provider_adjustments.c.remittance_id)
            .where(provider_adjustments.c.organization_id == self.org)
            .order_by(provider_adjustments.c.id)
        )
        return list((await self.session.execute(query)).all())

    async def claims_for_references(self, references: list[str]) -> dict[str, str]:
        """Claim ids by a payer claim control number of one of their payments, or by their patient
        control number (a PLB03-2 reference names either)."""
        found: dict[str, str] = {}
        if not references:
            return found
        by_ccn = await self.session.execute(
            select(claim_payments.c.payer_claim_control_number, claim_payments.c.claim_id).where(
                claim_payments.c.organization_id == self.org,
                claim_payments.c.payer_claim_control_number.in_(references),
                claim_payments.c.claim_id.is_not(None),
            )
        )
        for row in by_ccn.all():
            found.setdefault(row.payer_claim_control_number, row.claim_id)
        by_pcn = await self.session.execute(
            select(claims.c.patient_control_number, claims.c.id).where(
                claims.c.organization_id == self.org, claims.c.patient_control_number.in_(references)
            )
        )
        for row in by_pcn.all():
            found.setdefault(row.patient_control_number, row.id)
        return found

    async def canary_set(self, name: str) -> Any:
        query = select(canary_sets).where(
            canary_sets.c.organization_id == self.org, canary_sets.c.name == name
        )
        return (await self.session.execute(query)).first()

    async def put_canary_set(self, name: str, claims_json: list[dict[str, Any]]) -> None:
        await self.session.execute(
            delete(canary_sets).where(canary_sets.c.organization_id == self.org, canary_sets.c.name == name)
        )
        await self.session.execute(
            insert(canary_sets).values(
                organization_id=self.org, name=name, claims=claims_json, updated_at=datetime.now(UTC)
            )
        )
