"""Root causes of one claim's variance: its contract re-priced under alternatives (no escalator, no
carve-outs, the multiple-procedure reduction switched, other versions and contracts, the code the
payer adjudicated), set beside what the payer allowed on each line (domain.root_causes)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.ext.asyncio import AsyncSession

from reimbursement_engine.adapters.caches import EngineCaches
from reimbursement_engine.adapters.claims_mapping import domain_claim
from reimbursement_engine.adapters.location_repo import LocationRepository
from reimbursement_engine.adapters.projection_repo import ProjectionRepository
from reimbursement_engine.domain.contract_choice import VersionRef
from reimbursement_engine.domain.pricing import (
    Claim,
    ContractTerms,
    MedicareReference,
    PricedClaim,
    Residence,
    price_claim,
)
from reimbursement_engine.domain.pricing.terms import MultipleProcedureReduction
from reimbursement_engine.domain.reconciliation import PaidClaim, PaidLine
from reimbursement_engine.domain.root_causes import (
    Alternative,
    AlternativePrice,
    ClaimFacts,
    LineFacts,
    RootCause,
    diagnose,
)

# contract terms and Medicare years read for re-pricing, shared by every reconciliation of the process
# against one database (keyed by its URL: a process that reaches two, as tests do, must not price one
# database's claims under the other's contract of the same id and version)
_CACHES: dict[str, EngineCaches] = {}
OTHER_VERSIONS = 8  # versions beside the one in force that a paid amount is compared with
Variant = tuple[Alternative, str, Claim, ContractTerms, int | None]
TermsVariant = tuple[Alternative, str, ContractTerms]  # the claim priced under other terms
# a version's terms, its variants (no escalator, ...), the other versions' terms
_AlternativeTerms = tuple[ContractTerms, list[TermsVariant], list[TermsVariant]]


@dataclass(frozen=True)
class RootCauseContext:
    """What the variances of one chunk of reconciled claims compare with, read once for the chunk
    (a 1,000-claim 835 made some 15 round trips a variance before): the organisation's contract
    versions, which fee schedules are assembled, beneficiaries' residences. The contract terms and
    the Medicare reference are `held` beside it by name (`terms_name`, "medicare"): large, shared
    by every chunk, sent to a worker process once."""

    versions: list[VersionRef]
    assembled: set[str]
    residences: dict[str, Residence | None]


def terms_name(ref: VersionRef) -> str:
    return f"terms:{ref.contract_id}:{ref.version}"


class ContextReads:
    """The root-cause context of each chunk of one reconciliation (one unit of work) and the
    objects it holds: the terms of each claim's version and of the versions it is compared with,
    the Medicare years of the chunk's lines, its beneficiaries' residences. The organisation's
    contract versions and assembled fee schedules are read with the first chunk, the Medicare
    reference again only for a year no chunk before needed (a 10,000-claim 835 read them for each
    of its 20 chunks, some 14 ms a chunk)."""

    def __init__(self, session: AsyncSession, org: str) -> None:
        self.session, self.org = session, org
        self._versions: tuple[list[VersionRef], set[str]] | None = None
        self._years: set[int] = set()
        self._medicare: MedicareReference | None = None

    async def read(
        self, years: set[int], claim_rows: Iterable[Any]
    ) -> tuple[RootCauseContext, dict[str, Any]]:
        session = self.session
        if self._versions is None:
            repo = ProjectionRepository(session)
            versions = await repo.version_refs(self.org)
            hashes = {v.fee_schedule_hash for v in versions if v.fee_schedule_hash}
            self._versions = (versions, await repo.assembled_hashes(hashes))
        versions, assembled = self._versions
        if self._medicare is None or not years <= self._years:
            self._years |= years
            self._medicare = await _caches(session).medicare(session, self._years)
        held: dict[str, Any] = {"medicare": self._medicare}
        keys = {(r.contract_id, r.contract_version) for r in claim_rows if r.contract_id is not None}
        zips = {r.submitted.get("beneficiary_zip") for r in claim_rows if r.contract_id is not None}
        for current in (v for v in versions if (v.contract_id, v.version) in keys):
            for ref in [current, *_others(versions, current, assembled)]:
                if terms_name(ref) not in held:
                    held[terms_name(ref)] = await _caches(session).terms(session, ref)
        zips.discard(None)
        found = await LocationRepository(session).residences(zips) if zips else {}
        return RootCauseContext(versions, assembled, {z: found.get(z) for z in zips}), held


class Diagnosis:
    """Root causes for the variances of one chunk of reconciled claims (pure: what it compares
    with is in its context and held objects; each version's alternative terms built once)."""

    def __init__(self, context: RootCauseContext, held: Mapping[str, Any]) -> None:
        self.context, self.held = context, held
        self.today = datetime.now(UTC).date()  # the date the alternatives are priced as of
        self._alternative_terms: dict[str, _AlternativeTerms] = {}
        # each alternative priced once for the claims of the chunk it prices alike (see _price_variants)
        self._priced: dict[Claim, dict[int, PricedClaim | None]] = {}
        self._versions: dict[tuple[str, int], VersionRef] = {}  # the first of each key, as listed
        for v in context.versions:
            self._versions.setdefault((v.contract_id, v.version), v)

    def claim(
        self,
        claim_row: Any,
        claim_lines: list[Any],
        paid: PaidClaim,
        paid_rows: list[Any],
        paired: dict[int, PaidLine],
        claim_level_variance: Decimal,
    ) -> tuple[RootCause, ...]:
        """The claim's causes; `paired`: its claim lines' paid lines (domain.reconciliation.pair_lines)."""
        rows = {id(line): row for line, row in zip(paid.lines, paid_rows, strict=False)}
        alternatives = self._alternatives(claim_row, claim_lines, paired, rows)
        lines = tuple(
            [
                _facts(r, paired.get(r.line_number), rows, alternatives.get(r.line_number, ()))
                for r in claim_lines
            ]
        )
        return diagnose(ClaimFacts(lines, paid.adjustments, claim_level_variance))

    def _alternatives(
        self,
        claim_row: Any,
        claim_lines: list[Any],
        paired: dict[int, PaidLine],
        rows: dict[int, Any],
    ) -> dict[int, list[AlternativePrice]]:
        if claim_row.contract_id is None or claim_row.contract_version is None:
            return {}
        current = self._versions.get((claim_row.contract_id, claim_row.contract_version))
        if current is None:
            return {}
        claim = domain_claim(claim_row.submitted, [_mapping(r) for r in claim_lines])
        if claim.beneficiary_zip:  # DMEPOS: the beneficiary's state and rural amount, as pricing had it
            claim = replace(claim, residence=self.context.residences.get(claim.beneficiary_zip))
        terms, contract, others = self._terms_of(current)
        variants: list[Variant] = [(kind, label, claim, t, None) for kind, label, t in contract]
        variants += _paid_code_variants(claim, terms, paired, rows)
        variants += [(kind, label, claim, t, None) for kind, label, t in others]
        return _price_variants(variants, self.held["medicare"], self.today, self._priced)

    def _terms_of(self, current: VersionRef) -> _AlternativeTerms:
        """The version's terms, its variants and the other versions' terms: once per chunk."""
        name = terms_name(current)
        if name not in self._alternative_terms:
            terms = self.held[name]
            others = [
                (Alternative.OTHER_VERSION, ref.label, self.held[terms_name(ref)])
                for ref in _others(self.context.versions, current, self.context.assembled)
            ]
            self._alternative_terms[name] = (terms, _contract_variants(terms), others)
        return self._alternative_terms[name]


def _mapping(row: Any) -> Mapping[str, Any]:
    """A row's columns by name: a SQLAlchemy row's mapping, or a named tuple's (from a worker)."""
    mapping = getattr(row, "_mapping", None)
    return mapping if mapping is not None else row._asdict()  # type: ignore[no-any-return]


def _modifiers(text: str | None) -> tuple[str, ...]:
    return tuple(m for m in (text or "").split(":") if m)


def _facts(
    row: Any, got: PaidLine | None, rows: dict[int, Any], alts: Iterable[AlternativePrice]
) -> LineFacts:
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
        if not paid.code:
            continue
        line = next((x for x in claim.lines if x.line_number == number), None)
        if line is None or paid.code == line.code:
            continue
        modifiers = _modifiers(getattr(rows.get(id(paid)), "modifiers", None))
        recoded = replace(line, code=paid.code, modifiers=modifiers)
        lines = tuple(recoded if x is line else x for x in claim.lines)
        out.append((Alternative.PAID_CODE, paid.code, replace(claim, lines=lines), terms, number))
    return out


def _caches(session: AsyncSession) -> EngineCaches:
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    url = engine.url.render_as_string(hide_password=True)
    found = _CACHES.get(url)
    if found is None:
        found = _CACHES[url] = EngineCaches()
    return found


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
    variants: list[Variant],
    medicare: MedicareReference,
    today: date,
    priced_before: dict[Claim, dict[int, PricedClaim | None]],
) -> dict[int, list[AlternativePrice]]:
    """Each variant's expected allowed by line. A claim is priced from its lines, dates, places and
    payer, never from its patient control number: claims alike but for it (an office's visits of
    one code and charge on one day) are priced once a chunk under each alternative's terms
    (`priced_before`: by the claim without its number, then by the terms object, which the
    Diagnosis keeps for the chunk; the claim made and hashed once for the variants that share it)."""
    out: dict[int, list[AlternativePrice]] = {}
    alike: dict[int, dict[int, PricedClaim | None]] = {}  # by id of the variant's claim
    for kind, label, claim, terms, only_line in variants:
        by_terms = alike.get(id(claim))
        if by_terms is None:
            by_terms = alike[id(claim)] = priced_before.setdefault(
                replace(claim, patient_control_number=""), {}
            )
        if id(terms) in by_terms:
            priced = by_terms[id(terms)]
        else:
            try:
                priced = price_claim(claim, terms, medicare, today)
            except (ValueError, ArithmeticError):  # an alternative that cannot price says nothing
                priced = None
            by_terms[id(terms)] = priced
        if priced is None:
            continue
        for line in priced.lines:
            if line.status.is_unpriced or (only_line is not None and line.line_number != only_line):
                continue
            out.setdefault(line.line_number, []).append(AlternativePrice(kind, line.expected_allowed, label))
    return out
