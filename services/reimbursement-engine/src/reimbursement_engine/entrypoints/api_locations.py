"""The organisation's locations as the engine holds them (from organisation.updated): what
derives a claim's Medicare locality and CBSA."""

from __future__ import annotations

from typing import Annotated, Any

from accord_common.auth import Principal
from accord_common.web.deps import Requires, Runtime
from fastapi import APIRouter
from pydantic import BaseModel

from reimbursement_engine.adapters.location_repo import LocationRepository

router = APIRouter(prefix="/v1", tags=["locations"])


class LocationOut(BaseModel):
    name: str
    medicare_locality: str
    npis: list[str]
    zip_code: str | None
    cbsa: str | None


class LocationsOut(BaseModel):
    items: list[LocationOut]


@router.get(
    "/locations", response_model=LocationsOut, summary="The organisation's locations, as pricing sees them"
)
async def list_locations(who: Annotated[Principal, Requires("claims:read")], rt: Runtime) -> Any:
    """Locations received from the registry's organisation profile (read-only here: edit them with
    the registry's PUT /v1/organisation)."""
    async with rt.sessions() as session:
        held = await LocationRepository(session).locations(who.organization_id)
    items = [
        {
            "name": loc.name,
            "medicare_locality": str(loc.locality),
            "npis": sorted(loc.npis),
            "zip_code": loc.zip_code,
            "cbsa": loc.cbsa,
        }
        for loc in held
    ]
    return {"items": items}
