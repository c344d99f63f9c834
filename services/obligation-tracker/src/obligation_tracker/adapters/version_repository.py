"""Every contract version the tracker received, and each claim's applied pricing: what a claim's
deadlines are computed from (the version in force on its date of service)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from obligation_tracker.adapters.orm import claim_pricings, contract_versions
from obligation_tracker.domain import VersionPeriod

# Built once (a contract version keeps itself per event), its values bound when run.
_VERSION = select(contract_versions).where(
    contract_versions.c.contract_id == bindparam("contract_id"),
    contract_versions.c.version == bindparam("version"),
)
_VERSION_FOR_UPDATE = _VERSION.with_for_update()
_ADD_VERSION = insert(contract_versions)
_PUT_VERSION = update(contract_versions).where(
    contract_versions.c.contract_id == bindparam("held_id"),
    contract_versions.c.version == bindparam("held_version"),
)


class ContractVersions:
    """One row per (contract, version): the newest content of that version."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, contract_id: str, version: int, *, for_update: bool = False) -> Any:
        query = _VERSION_FOR_UPDATE if for_update else _VERSION
        return (await self.session.execute(query, {"contract_id": contract_id, "version": version})).first()

    async def periods(self, contract_id: str, organization_id: str) -> list[VersionPeriod]:
        query = select(
            contract_versions.c.version, contract_versions.c.effective_from, contract_versions.c.effective_to
        ).where(
            contract_versions.c.contract_id == contract_id,
            contract_versions.c.organization_id == organization_id,
        )
        rows = (await self.session.execute(query)).all()
        return [VersionPeriod(r.version, r.effective_from, r.effective_to) for r in rows]

    async def put(self, row: dict[str, Any], *, exists: bool) -> None:
        if exists:
            held = {"held_id": row["contract_id"], "held_version": row["version"]}
            await self.session.execute(_PUT_VERSION, row | held)
        else:
            await self.session.execute(_ADD_VERSION, row)


@dataclass(frozen=True)
class ClaimPricing:
    """The claim as its applied claim.priced described it."""

    claim_id: str
    patient_control_number: str | None
    contract_id: str
    contract_version: int
    service_date: date
    received_date: date | None


class ClaimPricings:
    def __init__(self, session: AsyncSession, organization_id: str) -> None:
        self.session = session
        self.org = organization_id

    async def get(self, claim_id: str) -> ClaimPricing | None:
        query = select(claim_pricings).where(
            claim_pricings.c.organization_id == self.org, claim_pricings.c.claim_id == claim_id
        )
        row = (await self.session.execute(query)).first()
        return pricing_of(row) if row is not None else None

    async def record(self, pricing: ClaimPricing, now: datetime) -> None:
        """Keep the latest pricing of the claim (a re-priced claim replaces the earlier one)."""
        values = pricing_row(self.org, pricing, now)
        if await self.get(pricing.claim_id) is None:
            await self.session.execute(insert(claim_pricings).values(**values))
        else:
            await self.session.execute(
                update(claim_pricings)
                .where(
                    claim_pricings.c.organization_id == self.org,
                    claim_pricings.c.claim_id == pricing.claim_id,
                )
                .values(**values)
            )


def pricing_of(row: Any) -> ClaimPricing:
    return ClaimPricing(
        row.claim_id,
        row.patient_control_number,
        row.contract_id,
        row.contract_version,
        row.service_date,
        row.received_date,
    )


def pricing_row(organization_id: str, pricing: ClaimPricing, now: datetime) -> dict[str, Any]:
    return {
        "organization_id": organization_id,
        "claim_id": pricing.claim_id,
        "patient_control_number": pricing.patient_control_number,
        "contract_id": pricing.contract_id,
        "contract_version": pricing.contract_version,
        "service_date": pricing.service_date,
        "received_date": pricing.received_date,
        "priced_at": now.astimezone(UTC),
    }
