"""Pricing claims of one organisation with the contract version in force on each date of service."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any

from accord_common.events import CloudEvent, new_event
from sqlalchemy.ext.asyncio import AsyncSession

from reimbursement_engine.adapters import explanation_store
from reimbursement_engine.adapters.caches import EngineCaches
from reimbursement_engine.adapters.claims_mapping import claim_route, service_site
from reimbursement_engine.adapters.location_repo import LocationRepository
from reimbursement_engine.adapters.projection_repo import ProjectionRepository
from reimbursement_engine.domain.contract_choice import VersionRef, choose_version
from reimbursement_engine.domain.contract_match import (
    ChoiceOutcome,
    ClaimRoute,
    ClaimType,
    ContractChoice,
    choose_contract,
)
from reimbursement_engine.domain.locality import (
    DerivedPlace,
    OrgLocation,
    derive_place,
    place_of_service_missing,
    zip5,
)
from reimbursement_engine.domain.pricing import (
    Claim,
    ContractTerms,
    LocalityKey,
    MedicareReference,
    PricedClaim,
    Residence,
    price_claim,
)
from reimbursement_engine.domain.pricing.msdrg import fiscal_year_of
from reimbursement_engine.domain.pricing_dates import price_by_date_of_service
from reimbursement_engine.handlers import SOURCE

PRICED, PENDING, NEEDS_REVIEW = "priced", "pending", "needs_review"


@dataclass(frozen=True, slots=True)
class PricingResult:
    status: str
    reason: str | None = None
    ref: VersionRef | None = None
    priced: PricedClaim | None = None
    context: str | None = None  # which contract and which locality, and why (explanation head)


class Pricer:
    """Loads the organisation's versions, locations, schedules and Medicare years once, then
    prices claims under the contract each matches, at the locality where it was rendered."""

    def __init__(
        self, session: AsyncSession, caches: EngineCaches, organization_id: str, today: date
    ) -> None:
        self.session = session
        self.caches = caches
        self.org = organization_id
        self.today = today
        self.versions: list[VersionRef] = []
        self.assembled: set[str] = set()
        self.medicare = MedicareReference(years={})
        self.terms: dict[tuple[str, int], ContractTerms] = {}
        self.locations: list[OrgLocation] = []
        self.zip_localities: dict[str, LocalityKey] = {}
        self.residences: dict[str, Residence] = {}
        self._chosen: dict[tuple[ClaimRoute, date], ContractChoice] = {}

    async def prepare(self, claims: list[Claim], headers: Sequence[Mapping[str, Any]] = ()) -> None:
        self.versions = await ProjectionRepository(self.session).version_refs(self.org)
        hashes = {v.fee_schedule_hash for v in self.versions if v.fee_schedule_hash}
        self.assembled = await ProjectionRepository(self.session).assembled_hashes(hashes)
        years = {line.service_date.year for claim in claims for line in claim.lines}
        drg_years = {fiscal_year_of(c.discharge_date or c.service_to) for c in claims if c.drg}
        self.medicare = await self.caches.medicare(self.session, years, drg_years)
        places = LocationRepository(self.session)
        self.locations = await places.locations(self.org)
        zips = {z for h in headers for raw in service_site(h).zip_codes if (z := zip5(raw))}
        self.zip_localities = await places.zip_localities(zips)
        self.residences = await places.residences(c.beneficiary_zip for c in claims if c.beneficiary_zip)

    def _choose(self, route: ClaimRoute, on: date) -> ContractChoice:
        key = (route, on)
        if key not in self._chosen:
            self._chosen[key] = choose_contract(self.versions, on, route)
        return self._chosen[key]

    def place_of(self, header: Mapping[str, Any]) -> DerivedPlace:
        """The locality (and CBSA) of the organisation's location that rendered the claim."""
        return derive_place(service_site(header), self.locations, self.zip_localities)

    def resident(self, claim: Claim) -> Claim:
        """The claim with where its beneficiary lives (CMS's ZIP5 file): DMEPOS state and rural."""
        if not claim.beneficiary_zip:
            return claim
        return replace(claim, residence=self.residences.get(claim.beneficiary_zip))

    def located(self, claim: Claim, header: Mapping[str, Any]) -> Claim:
        """The claim with where it was rendered: locality, CBSA and whether a facility billed it
        (institutional, or the professional form billed by a location with a CBSA, a surgery
        center: POS 24 on it prices by the ASC schedule)."""
        return self._placed(claim, claim_route(header), self.place_of(header))

    def _placed(self, claim: Claim, route: ClaimRoute, place: DerivedPlace) -> Claim:
        """`located` from the claim's route and place already derived (one `replace`)."""
        facility = route.claim_type is ClaimType.INSTITUTIONAL or bool(place.cbsa)
        changes: dict[str, Any] = {"site_locality": place.locality, "site_cbsa": place.cbsa}
        changes["facility_claim"] = facility
        if claim.beneficiary_zip:  # where the beneficiary lives (as `resident`)
            changes["residence"] = self.residences.get(claim.beneficiary_zip)
        return replace(claim, **changes)

    async def terms_on(self, claim: Claim, contract_id: str | None) -> ContractTerms | None:
        """The terms in force on the claim's first date of service (what-if and margin)."""
        ref = choose_version(
            self.versions, claim.service_from, payer_id=claim.payer_id, contract_id=contract_id
        )
        if ref is None or (ref.fee_schedule_hash and ref.fee_schedule_hash not in self.assembled):
            return None
        return await self.caches.terms(self.session, ref)

    async def price(self, claim: Claim, header: Mapping[str, Any]) -> PricingResult:
        """Under the contract the claim matches on each date of service, at the derived locality."""
        route = claim_route(header)
        unplaced = place_of_service_missing(claim, route.claim_type)
        if unplaced is not None:
            return PricingResult(NEEDS_REVIEW, unplaced)
        chosen = await self._contracts_by_date(claim, route)
        if isinstance(chosen, PricingResult):
            return chosen
        refs, reasons = chosen
        place = self.place_of(header)
        facility = route.claim_type is ClaimType.INSTITUTIONAL
        priced = self._price_under(self._placed(claim, route, place), refs)
        context = "Contract: " + " | ".join(reasons) + "\nLocation: " + place.describe(facility)
        return PricingResult(PRICED, None, refs[min(refs)], priced, context)

    async def _contracts_by_date(
        self, claim: Claim, route: ClaimRoute
    ) -> tuple[dict[date, VersionRef], list[str]] | PricingResult:
        """The version chosen for each date of service (with why), or why the claim waits."""
        refs: dict[date, VersionRef] = {}
        reasons: list[str] = []
        for on in sorted({line.service_date for line in claim.lines}):
            choice = self._choose(route, on)
            if choice.ref is None:
                status = NEEDS_REVIEW if choice.outcome is ChoiceOutcome.AMBIGUOUS else PENDING
                return PricingResult(status, choice.reason)
            ref = choice.ref
            if ref.fee_schedule_hash and ref.fee_schedule_hash not in self.assembled:
                reason = f"waiting for the fee schedule of contract {ref.contract_id} v{ref.version}"
                return PricingResult(PENDING, reason)
            refs[on] = ref
            if choice.reason not in reasons:
                reasons.append(choice.reason)
            if (ref.contract_id, ref.version) not in self.terms:
                self.terms[(ref.contract_id, ref.version)] = await self.caches.terms(self.session, ref)
        return refs, reasons

    def _price_under(self, claim: Claim, refs: dict[date, VersionRef]) -> PricedClaim:
        terms = self.terms
        if len(refs) == 1:  # the usual claim: every line on one date, under one version
            first = refs[min(refs)]
            return price_claim(claim, terms[(first.contract_id, first.version)], self.medicare, self.today)
        return price_by_date_of_service(
            claim, lambda on: terms[(refs[on].contract_id, refs[on].version)], self.medicare, self.today
        )


def claim_values(result: PricingResult, now: datetime) -> dict[str, Any]:
    """Columns of `claims` a pricing sets."""
    if result.priced is None or result.ref is None:
        return {
            "status": result.status,
            "status_reason": result.reason,
            "expected_allowed": None,
            "contract_version": None,
            "flags": [],
            "explanation": None,
            "explanation_steps": None,
            "priced_at": None,
            "pricing_completeness": None,
        }
    return {
        "status": PRICED,
        "status_reason": None,
        "contract_id": result.ref.contract_id,
        "contract_version": result.ref.version,
        "expected_allowed": result.priced.expected_allowed,
        "flags": list(result.priced.flags),
        "explanation": None,  # rendered on read from its steps (text only for claims priced before)
        "explanation_steps": explanation_store.encode(result.priced, result.context),
        "priced_at": now,
        "pricing_completeness": result.priced.completeness.value,
    }


_UNPRICED_LINE = {"status": None, "term": None, "expected_allowed": None, "unpriced_reason": None}


def line_rows(claim_id: str, lines: list[dict[str, Any]], result: PricingResult) -> list[dict[str, Any]]:
    """Rows of `claim_lines` for a claim's submitted lines with what pricing set on each."""
    priced = result.priced.lines if result.priced is not None else ()
    if len(priced) == len(lines) and all(
        p.line_number == line["line_number"] for p, line in zip(priced, lines, strict=True)
    ):
        return [
            {
                **line,
                "claim_id": claim_id,
                "status": p.status.value,
                "term": p.term,
                "expected_allowed": p.expected_allowed,
                "unpriced_reason": p.unpriced_reason,
            }
            for p, line in zip(priced, lines, strict=True)
        ]
    values = line_values(result)
    return [
        {**line, "claim_id": claim_id, **values.get(line["line_number"], _UNPRICED_LINE)} for line in lines
    ]


def line_results(claim_id: str, result: PricingResult) -> list[dict[str, Any]]:
    """What pricing sets on each of a stored claim's lines, keyed by claim id and line number."""
    if result.priced is None:
        return []
    return [
        {
            "claim_id": claim_id,
            "line_number": line.line_number,
            "status": line.status.value,
            "term": line.term,
            "expected_allowed": line.expected_allowed,
            "unpriced_reason": line.unpriced_reason,
        }
        for line in result.priced.lines
    ]


def line_values(result: PricingResult) -> dict[int, dict[str, Any]]:
    if result.priced is None:
        return {}
    return {
        line.line_number: {
            "status": line.status.value,
            "term": line.term,
            "expected_allowed": line.expected_allowed,
            "unpriced_reason": line.unpriced_reason,
        }
        for line in result.priced.lines
    }


def priced_payload(
    claim_id: str, org: str, header: dict[str, Any], claim: Claim, result: PricingResult
) -> dict[str, Any]:
    """The claim.priced payload (JSON-safe: amounts as text)."""
    assert result.priced is not None
    assert result.ref is not None
    lines = [
        {
            "line_number": line.line_number,
            "code": line.code,
            "status": line.status.value,
            "expected_allowed": str(line.expected_allowed),
            "unpriced_reason": line.unpriced_reason,
        }
        for line in result.priced.lines
    ]
    return {
        "claim_id": claim_id,
        "organization_id": org,
        "patient_control_number": claim.patient_control_number,
        "payer_id": claim.payer_id,
        "contract_id": result.ref.contract_id,
        "contract_version": result.ref.version,
        "service_date": claim.service_from.isoformat(),
        "received_date": header.get("received_date"),
        "total_charge": str(claim.total_charges),
        "expected_allowed": str(result.priced.expected_allowed),
        "pricing_completeness": result.priced.completeness.value,
        "lines": lines,
    }


def priced_event(
    claim_id: str, org: str, header: dict[str, Any], claim: Claim, result: PricingResult
) -> CloudEvent:
    """claim.priced for one claim (a batch publishes its payloads with `UnitOfWork.publish_batch`)."""
    data = priced_payload(claim_id, org, header, claim, result)
    return new_event("claim.priced", source=SOURCE, subject=claim_id, data=data, organization_id=org)


def utcnow() -> datetime:
    return datetime.now(UTC)
