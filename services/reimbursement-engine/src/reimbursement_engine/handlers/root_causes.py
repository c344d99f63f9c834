"""Root causes of one claim's variance: its contract re-priced under alternatives (no escalator, no
carve-outs, the multiple-procedure reduction switched, other versions and contracts, the code the
payer adjudicated), set beside what the payer allowed on each line (domain.root_causes)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from reimbursement_engine.adapters.caches import EngineCaches
from reimbursement_engine.adapters.claims_mapping import domain_claim
from reimbursement_engine.adapters.location_repo import LocationRepository
from reimbursement_engine.adapters.projection_repo import ProjectionRepository
from reimbursement_engine.domain.contract_choice import VersionRef
from reimbursement_engine.domain.pricing import Claim, ContractTerms, MedicareReference, price_claim
from reimbursement_engine.domain.pricing.terms import MultipleProcedureReduction
from reimbursement_engine.domain.reconciliation import ExpectedLine, PaidClaim, PaidLine, pair_lines
from reimbursement_engine.domain.root_causes import (
    Alternative,
    AlternativePrice,
    ClaimFacts,
    LineFacts,
    RootCause,
    diagnose,
)

# contract terms and Medicare years read for re-pricing, shared by every reconciliation of the process
_CACHES = EngineCaches()
OTHER_VERSIONS = 8  # versions beside the one in force that a paid amount is compared with
Variant = tuple[Alternative, str, Claim, ContractTerms, int | None]
TermsVariant = tuple[Alternative, str, ContractTerms]  # the claim priced under other terms
# a version's terms, its variants (no escalator, ...), the other versions' terms
_AlternativeTerms = tuple[ContractTerms, list[TermsVariant], list[TermsVariant]]


class Diagnosis:
    """Root causes for the variances of one batch of reconciled claims. What every claim of the
    batch compares with (the organisation's contract versions, which fee schedules are assembled,
    the Medicare years of the batch's lines, beneficiaries' residences) is read once for the batch,
    not once a claim: a 1,000-claim 835 made some 15 round trips a variance before."""

    def __init__(self, session: AsyncSession, org: str, years: set[int]) -> None:
        self.session, self.org, self.years = session, org, years
        self._shared: tuple[list[VersionRef], set[str], MedicareReference] | None = None
        self._residences: dict[str, Any] = {}
        self._alternative_terms: dict[tuple[str, int], _AlternativeTerms] = {}

    async def claim(
        self,
        claim_row: Any,
        claim_lines: list[Any],
        paid: PaidClaim,
        paid_rows: list[Any],
        claim_level_variance: Decimal,
    ) -> tuple[RootCause, ...]:
        expected = tuple(
            ExpectedLine(r.line_number, r.code, r.expected_allowed or Decimal(0)) for r in claim_lines
        )
        paired = pair_lines(expected, paid.lines)
        rows = {id(line): row for line, row in zip(paid.lines, paid_rows, strict=False)}
        alternatives = await self._alternatives(claim_row, claim_lines, paired, rows)
        lines = tuple(
            _facts(r, paired.get(r.line_number), rows, alternatives.get(r.line_number, []))
            for r in claim_lines
        )
        return diagnose(ClaimFacts(lines, paid.adjustments, claim_level_variance))

    async def _shared_data(self) -> tuple[list[VersionRef], set[str], MedicareReference]:
        if self._shared is None:
            repo = ProjectionRepository(self.session)
            versions = await repo.version_refs(self.org)
            hashes = {v.fee_schedule_hash for v in versions if v.fee_schedule_hash}
            assembled = await repo.assembled_hashes(hashes)
            medicare = await _CACHES.medicare(self.session, self.years)
            self._shared = (versions, assembled, medicare)
        return self._shared

    async def _residence(self, zip_code: str) -> Any:
        if zip_code not in self._residences:
            found = await LocationRepository(self.session).residences([zip_code])
            self._residences[zip_code] = found.get(zip_code)
        return self._residences[zip_code]

    async def _alternatives(
        self,
        claim_row: Any,
        claim_lines: list[Any],
        paired: dict[int, PaidLine],
        rows: dict[int, Any],
    ) -> dict[int, list[AlternativePrice]]:
        if claim_row.contract_id is None or claim_row.contract_version is None:
            return {}
        versions, assembled, medicare = await self._shared_data()
        key = (claim_row.contract_id, claim_row.contract_version)
        current = next((v for v in versions if (v.contract_id, v.version) == key), None)
        if current is None:
            return {}
        claim = domain_claim(claim_row.submitted, [r._mapping for r in claim_lines])
        if claim.beneficiary_zip:  # DMEPOS: the beneficiary's state and rural amount, as pricing had it
            claim = replace(claim, residence=await self._residence(claim.beneficiary_zip))
        years = {line.service_date.year for line in claim.lines}
        if not years <= self.years:  # a line outside the batch's years (not expected): read them too
            medicare = await _CACHES.medicare(self.session, self.years | years)
        terms, contract, others = await self._terms_of(current, versions, assembled)
        variants: list[Variant] = [(kind, label, claim, t, None) for kind, label, t in contract]
        variants += _paid_code_variants(claim, terms, paired, rows)
        variants += [(kind, label, claim, t, None) for kind, label, t in others]
        return _price_variants(variants, medicare)

    async def _terms_of(
        self, current: VersionRef, versions: list[VersionRef], assembled: set[str]
    ) -> _AlternativeTerms:
        """The version's terms, its variants and the other versions' terms: once per batch."""
        key = (current.contract_id, current.version)
        if key not in self._alternative_terms:
            terms = await _CACHES.terms(self.session, current)
            others = [
                (Alternative.OTHER_VERSION, ref.label, await _CACHES.terms(self.session, ref))
                for ref in _others(versions, current, assembled)
            ]
            self._alternative_terms[key] = (terms, _contract_variants(terms), others)
        return self._alternative_terms[key]


def _modifiers(text: str | None) -> tuple[str, ...]:
    return tuple(m for m in (text or "").split(":") if m)


def _facts(row: Any, got: PaidLine | None, rows: dict[int, Any], alts: list[AlternativePrice]) -> LineFacts:
    expected = row.expected_allowed or Decimal(0)
    if got is None:
        return LineFacts(row.line_number, row.code, expected, expected, Decimal(0), _modifiers(row.modifiers))
    paid_row = rows.get(id(got))
    allowed = paid_row.allowed if paid_row is not None and paid_row.allowed is not None else None
    received = got.paid + got.patient_responsibility
    return LineFacts(
        line_number=row.line_number,
        billed_code=row.code,
        expected=expected,
        variance=expected - received,
        allowed=received if allowed is None else allowed,
        billed_modifiers=_modifiers(row.modifiers),
        paid_code=got.code,
        paid_modifiers=_modifiers(getattr(paid_row, "modifiers", None)),
        original_code=got.original_code,
        adjustments=got.adjustments,
        alternatives=tuple(alts),
    )


def _contract_variants(terms: ContractTerms) -> list[TermsVariant]:
    out: list[TermsVariant] = []
    if terms.escalator is not None:
        out.append((Alternative.NO_ESCALATOR, "", replace(terms, escalator=None)))
    if terms.carve_outs:
        out.append((Alternative.NO_CARVE_OUT, "", replace(terms, carve_outs=())))
    switched = tuple(
        replace(t, multiple_procedure=None if t.multiple_procedure else MultipleProcedureReduction())
        for t in terms.terms
    )
    out.append((Alternative.MULTIPLE_PROCEDURE_SWITCHED, "", replace(terms, terms=switched)))
    return out


def _paid_code_variants(
    claim: Claim, terms: ContractTerms, paired: dict[int, PaidLine], rows: dict[int, Any]
) -> list[Variant]:
    """The claim with a line's code replaced by the code the payer adjudicated (that line only)."""
    out: list[Variant] = []
    for number, paid in paired.items():
        line = next((x for x in claim.lines if x.line_number == number), None)
        if line is None or not paid.code or paid.code == line.code:
            continue
        modifiers = _modifiers(getattr(rows.get(id(paid)), "modifiers", None))
        recoded = replace(line, code=paid.code, modifiers=modifiers)
        lines = tuple(recoded if x is line else x for x in claim.lines)
        out.append((Alternative.PAID_CODE, paid.code, replace(claim, lines=lines), terms, number))
    return out


def _others(versions: list[VersionRef], current: VersionRef, assembled: set[str]) -> list[VersionRef]:
    """Earlier versions of the same contract, then other contracts with the payer, then the rest."""

    def rank(v: VersionRef) -> tuple[int, int]:
        same_contract = v.contract_id == current.contract_id
        same_payer = v.payer_id == current.payer_id
        return (0 if same_contract else 1 if same_payer else 2, -v.version)

    usable = [
        v
        for v in versions
        if (v.contract_id, v.version) != (current.contract_id, current.version)
        and (not v.fee_schedule_hash or v.fee_schedule_hash in assembled)
    ]
    return sorted(usable, key=rank)[:OTHER_VERSIONS]


def _price_variants(
    variants: list[Variant], medicare: MedicareReference
) -> dict[int, list[AlternativePrice]]:
    today = datetime.now(UTC).date()
    out: dict[int, list[AlternativePrice]] = {}
    for kind, label, claim, terms, only_line in variants:
        try:
            priced = price_claim(claim, terms, medicare, today)
        except (ValueError, ArithmeticError):  # an alternative that cannot price says nothing
            continue
        for line in priced.lines:
            if line.status.is_unpriced or (only_line is not None and line.line_number != only_line):
                continue
            out.setdefault(line.line_number, []).append(AlternativePrice(kind, line.expected_allowed, label))
    return out
