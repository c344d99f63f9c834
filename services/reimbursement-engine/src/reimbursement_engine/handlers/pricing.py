"""Pricing claims of one organisation with the contract version in force on each date of service."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from accord_common.events import CloudEvent, new_event
from sqlalchemy.ext.asyncio import AsyncSession

from reimbursement_engine.adapters.caches import EngineCaches
from reimbursement_engine.adapters.projection_repo import ProjectionRepository
from reimbursement_engine.domain.contract_choice import VersionRef, choose_version, missing_reason
from reimbursement_engine.domain.pricing import (
    Claim,
    ContractTerms,
    MedicareReference,
    PricedClaim,
    price_claim,
)
from reimbursement_engine.domain.pricing.msdrg import fiscal_year_of
from reimbursement_engine.domain.pricing_dates import price_by_date_of_service
from reimbursement_engine.handlers import SOURCE

PRICED, PENDING = "priced", "pending"


@dataclass(frozen=True, slots=True)
class PricingResult:
    status: str
    reason: str | None = None
    ref: VersionRef | None = None
    priced: PricedClaim | None = None


class Pricer:
    """Loads the organisation's versions, schedules and Medicare years once, then prices claims."""

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
        self._chosen: dict[tuple[str, str | None, date], VersionRef | None] = {}

    async def prepare(self, claims: list[Claim]) -> None:
        self.versions = await ProjectionRepository(self.session).version_refs(self.org)
        hashes = {v.fee_schedule_hash for v in self.versions if v.fee_schedule_hash}
        self.assembled = await ProjectionRepository(self.session).assembled_hashes(hashes)
        years = {line.service_date.year for claim in claims for line in claim.lines}
        drg_years = {fiscal_year_of(c.discharge_date or c.service_to) for c in claims if c.drg}
        self.medicare = await self.caches.medicare(self.session, years, drg_years)

    def _choose(self, payer_id: str, contract_id: str | None, on: date) -> VersionRef | None:
        key = (payer_id, contract_id, on)
        if key not in self._chosen:
            self._chosen[key] = choose_version(self.versions, on, payer_id=payer_id, contract_id=contract_id)
        return self._chosen[key]

    async def terms_on(self, claim: Claim, contract_id: str | None) -> ContractTerms | None:
        """The terms in force on the claim's first date of service (what-if and margin)."""
        ref = self._choose(claim.payer_id, contract_id, claim.service_from)
        if ref is None or (ref.fee_schedule_hash and ref.fee_schedule_hash not in self.assembled):
            return None
        return await self.caches.terms(self.session, ref)

    async def price(self, claim: Claim, contract_id: str | None) -> PricingResult:
        refs: dict[date, VersionRef] = {}
        dates = {line.service_date for line in claim.lines}
        for on in sorted(dates) if len(dates) > 1 else dates:
            ref = self._choose(claim.payer_id, contract_id, on)
            if ref is None:
                return PricingResult(
                    PENDING, missing_reason(on, payer_id=claim.payer_id, contract_id=contract_id)
                )
            if ref.fee_schedule_hash and ref.fee_schedule_hash not in self.assembled:
                reason = f"waiting for the fee schedule of contract {ref.contract_id} v{ref.version}"
                return PricingResult(PENDING, reason)
            refs[on] = ref
            if (ref.contract_id, ref.version) not in self.terms:
                self.terms[(ref.contract_id, ref.version)] = await self.caches.terms(self.session, ref)
        first = refs[min(refs)]
        if len(refs) == 1:  # the usual claim: every line under one version
            only = self.terms[(first.contract_id, first.version)]
            priced = price_claim(claim, only, self.medicare, self.today)
        else:
            terms = self.terms
            priced = price_by_date_of_service(
                claim, lambda on: terms[(refs[on].contract_id, refs[on].version)], self.medicare, self.today
            )
        return PricingResult(PRICED, None, first, priced)


def claim_values(result: PricingResult, now: datetime) -> dict[str, Any]:
    """Columns of `claims` a pricing sets."""
    if result.priced is None or result.ref is None:
        return {
            "status": PENDING,
            "status_reason": result.reason,
            "expected_allowed": None,
            "contract_version": None,
            "flags": [],
            "explanation": None,
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
        "explanation": result.priced.explain(),
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
