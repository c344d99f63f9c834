"""Published rate vs contract: a payer's TiC in-network file for the organisation's own TINs/NPIs,
each code priced under the contract version in force on a date (one unit, as billed alone)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from accord_common.errors import Unprocessable
from sqlalchemy.ext.asyncio import AsyncSession

from reimbursement_engine.adapters.caches import EngineCaches
from reimbursement_engine.adapters.projection_repo import ProjectionRepository
from reimbursement_engine.domain.contract_choice import VersionRef, choose_version
from reimbursement_engine.domain.pricing import (
    Claim,
    ClaimLine,
    CodeSystem,
    ContractTerms,
    MedicareReference,
    price_claim,
)
from reimbursement_engine.domain.published_rates import (
    NotAnInNetworkFile,
    Providers,
    PublishedRate,
    PublishedRates,
    RateDifference,
    differences,
    published_rates,
)

# a charge no rate reaches, so a lesser-of-charges term never hides the contract's rate
NO_CHARGE_LIMIT = Decimal("9999999.99")
OFFICE = "11"


@dataclass(frozen=True, slots=True)
class Comparison:
    version: VersionRef
    providers: Providers
    published: PublishedRates
    differences: list[RateDifference]
    not_in_contract: list[PublishedRate]


async def compare(
    session: AsyncSession,
    caches: EngineCaches,
    org: str,
    document: Any,
    contract_id: str,
    as_of: date,
    providers: Providers,
) -> Comparison:
    versions = await ProjectionRepository(session).version_refs(org)
    ref = choose_version(versions, as_of, payer_id="", contract_id=contract_id)
    if ref is None:
        raise Unprocessable(f"contract {contract_id} has no version in force on {as_of.isoformat()}")
    if ref.fee_schedule_hash and not await ProjectionRepository(session).assembled_hashes(
        {ref.fee_schedule_hash}
    ):
        raise Unprocessable(f"the fee schedule of {ref.label} has not arrived yet: compare again shortly")
    if not providers.tins and not providers.npis:
        providers = Providers.of(ref.scope.provider_tins, ref.scope.provider_npis)
    if not providers.tins and not providers.npis:
        raise Unprocessable(
            "name the organisation's TINs or NPIs (tins, npis): the contract's scope lists none",
            errors=[{"field": "tins", "message": "no TIN or NPI to read the file for"}],
        )
    try:
        found = published_rates(document, providers)
    except NotAnInNetworkFile as exc:
        raise Unprocessable(str(exc), errors=[{"field": "file", "message": str(exc)}]) from None
    terms = await caches.terms(session, ref)
    medicare = await caches.medicare(session, {as_of.year})
    contract = {rate: contract_rate(rate, terms, medicare, as_of, ref.payer_id) for rate in set(found.rates)}
    differ, unpriced = differences(found.rates, contract)
    return Comparison(ref, providers, found, differ, unpriced)


def contract_rate(
    rate: PublishedRate, terms: ContractTerms, medicare: MedicareReference, on: date, payer_id: str
) -> Decimal | None:
    """What the contract allows for one unit of the code on `on` (None: it does not price it)."""
    place = rate.place_of_service or OFFICE
    line = ClaimLine(
        1, rate.code, Decimal(1), NO_CHARGE_LIMIT, on, CodeSystem.CPT_HCPCS, rate.modifiers, None, place
    )
    claim = Claim("published-rate", payer_id, on, on, (line,), place_of_service=place)
    try:
        (priced,) = price_claim(claim, terms, medicare, on).lines
    except (ValueError, ArithmeticError):
        return None
    return None if priced.status.is_unpriced else priced.expected_allowed
