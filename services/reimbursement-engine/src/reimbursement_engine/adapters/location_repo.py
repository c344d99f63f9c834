"""The organisation's locations (from organisation.updated) and CMS's ZIP-to-locality table."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from accord_common.bulk import insert_rows
from accord_common.events.payloads import LocationData
from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from reimbursement_engine.adapters.orm import organization_locations, zip_localities
from reimbursement_engine.domain.locality import OrgLocation
from reimbursement_engine.domain.pricing import LocalityKey, Residence
from reimbursement_engine.domain.zip5 import ZipLocality


def org_location(item: dict[str, Any]) -> OrgLocation:
    """A location of the organisation.updated payload (LocationData) as the domain's."""
    locality = item["medicare_locality"]
    return OrgLocation(
        name=item["name"],
        locality=LocalityKey(locality["mac"], locality["locality"]),
        npis=frozenset(item.get("npis") or ()),
        zip_code=item.get("zip_code"),
        cbsa=item.get("cbsa"),
    )


class LocationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def save(self, organization_id: str, published: list[LocationData]) -> None:
        """Replace the organisation's locations (the profile is published whole)."""
        now = datetime.now(UTC)
        locations = [location.model_dump(mode="json") for location in published]
        held = await self.session.scalar(
            select(organization_locations.c.organization_id).where(
                organization_locations.c.organization_id == organization_id
            )
        )
        if held is None:
            await self.session.execute(
                insert(organization_locations).values(
                    organization_id=organization_id, locations=locations, updated_at=now
                )
            )
        else:
            await self.session.execute(
                update(organization_locations)
                .where(organization_locations.c.organization_id == organization_id)
                .values(locations=locations, updated_at=now)
            )

    async def locations(self, organization_id: str) -> list[OrgLocation]:
        stored: list[dict[str, Any]] | None = await self.session.scalar(
            select(organization_locations.c.locations).where(
                organization_locations.c.organization_id == organization_id
            )
        )
        return [org_location(item) for item in stored or []]

    async def zip_localities(self, zip_codes: Iterable[str]) -> dict[str, LocalityKey]:
        wanted = sorted(set(zip_codes))
        if not wanted:
            return {}
        rows = await self.session.execute(
            select(zip_localities.c.zip_code, zip_localities.c.carrier, zip_localities.c.locality).where(
                zip_localities.c.zip_code.in_(wanted)
            )
        )
        return {r.zip_code: LocalityKey(r.carrier, r.locality) for r in rows}

    async def residences(self, zip_codes: Iterable[str]) -> dict[str, Residence]:
        """Beneficiaries' ZIP codes: state and rural indicator (DMEPOS amounts)."""
        wanted = sorted(set(zip_codes))
        if not wanted:
            return {}
        table = zip_localities.c
        rows = await self.session.execute(
            select(table.zip_code, table.state, table.rural_indicator).where(table.zip_code.in_(wanted))
        )
        return {r.zip_code: Residence(r.zip_code, r.state, r.rural_indicator) for r in rows}

    async def replace_zip_localities(self, rows: list[ZipLocality]) -> int:
        """Replace the whole ZIP table with one quarter's file."""
        await self.session.execute(delete(zip_localities))
        values = [
            {
                "zip_code": r.zip_code,
                "state": r.state,
                "carrier": r.locality.mac,
                "locality": r.locality.locality,
                "year_quarter": r.year_quarter,
                "rural_indicator": r.rural_indicator,
            }
            for r in rows
        ]
        await insert_rows(self.session, zip_localities, values)
        return len(values)
