"""Published rate vs contract: upload a payer's TiC in-network-rates file, get every code where the
payer's published rate for the organisation's own TINs/NPIs is not the contract's."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Annotated, Any

from accord_common.auth import Principal
from accord_common.errors import PayloadTooLarge, Unprocessable
from accord_common.web.deps import Requires, Runtime
from accord_common.web.types import IsoDate
from fastapi import APIRouter, File, Form, UploadFile

from reimbursement_engine.domain.published_rates import Providers
from reimbursement_engine.entrypoints.deps import Caches
from reimbursement_engine.handlers import published_rates as handlers

router = APIRouter(prefix="/v1", tags=["published rates"])
MAX_BYTES = 64 * 1024 * 1024
_EXAMPLE = {
    "contract_id": "01JD...",
    "as_of": "2026-03-01",
    "tins": "12-3456789",
    "npis": "1234567893",
    "file": '{"reporting_entity_name": "Acme", "last_updated_on": "2026-01-01", "in_network": []}',
}
_BODY = {"requestBody": {"content": {"multipart/form-data": {"example": _EXAMPLE}}}}


def _listed(text: str | None) -> list[str]:
    return [x.strip() for x in (text or "").split(",") if x.strip()]


def _rate(rate: Any) -> dict[str, Any]:
    return {
        "code_system": rate.code_system,
        "code": rate.code,
        "modifiers": list(rate.modifiers),
        "billing_class": rate.billing_class,
        "place_of_service": rate.place_of_service,
        "published": str(rate.rate),
    }


@router.post(
    "/published-rates/comparisons",
    summary="Compare a payer's published rates with the contract",
    openapi_extra=_BODY,
)
async def compare_published_rates(
    who: Annotated[Principal, Requires("claims:read")],
    rt: Runtime,
    caches: Caches,
    file: Annotated[UploadFile, File(description="The payer's TiC in-network-rates JSON (schema v2).")],
    contract_id: Annotated[str, Form(min_length=1, max_length=64, description="The contract in force.")],
    as_of: Annotated[IsoDate, Form(description="Compare with the version in force on this day.")],
    tins: Annotated[str | None, Form(max_length=2000, description="Our TINs, comma-separated.")] = None,
    npis: Annotated[str | None, Form(max_length=20000, description="Our NPIs, comma-separated.")] = None,
) -> Any:
    """Every CPT/HCPCS code whose published dollar rate for our TINs/NPIs (default: the contract's
    scope) differs from what the contract allows for one unit on `as_of`; codes the contract does
    not price are listed apart. Nothing is stored."""
    raw = await file.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise PayloadTooLarge(f"an in-network file compared here holds at most {MAX_BYTES} bytes")
    try:
        document = json.loads(raw, parse_float=Decimal)
    except ValueError as exc:
        raise Unprocessable(
            f"not valid JSON: {exc}", errors=[{"field": "file", "message": str(exc)}]
        ) from None
    providers = Providers.of(_listed(tins), _listed(npis))
    async with rt.sessions() as session:
        found = await handlers.compare(
            session, caches, who.organization_id, document, contract_id, as_of, providers
        )
    return {
        "contract_id": found.version.contract_id,
        "version": found.version.version,
        "as_of": as_of.isoformat(),
        "tins": sorted(found.providers.tins),
        "npis": sorted(found.providers.npis),
        "compared": len(found.published.rates),
        "differences": [
            {**_rate(d.rate), "contract": str(d.contract), "difference": str(d.difference)}
            for d in found.differences
        ],
        "not_in_contract": [_rate(r) for r in found.not_in_contract],
        "other_providers": found.published.other_providers,
        "left_out": found.published.left_out,
    }
