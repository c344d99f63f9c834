"""What-if on whole fee schedules, for the renewal negotiation: a proposed fee schedule (a payer's
rate sheet) or a rate change over a code range, applied to the contract's terms and re-priced over
past claims by the pricing engine itself (reductions, escalators, lesser-of all apply); the impact by
code, service line and payer, and the margin against the organisation's cost of service.

Builds on domain/what_if.py (RateChange, proposed_line_amount, Impact) rather than beside it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal

from reimbursement_engine.domain.pricing import Claim, ContractTerms, PricedClaim
from reimbursement_engine.domain.pricing.codes import CodeSystem
from reimbursement_engine.domain.pricing.fee_schedule import FeeSchedule, FeeScheduleRow
from reimbursement_engine.domain.pricing.terms import FeeScheduleRate, PaymentTerm
from reimbursement_engine.domain.what_if import Impact, RateChange, proposed_line_amount

ZERO = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class ProposedSchedule:
    """The payer's proposed rows. `overlay`: a code the proposal lists is priced from its rows, the
    others keep today's rows; not overlay: the proposal replaces the schedule (codes it lacks go
    unpriced)."""

    rows: tuple[FeeScheduleRow, ...]
    overlay: bool = True


ScheduleProposal = ProposedSchedule | RateChange


def last_twelve_months(as_of: date) -> tuple[date, date]:
    """The year of service ending on `as_of`: 2026-06-30 -> 2025-07-01 .. 2026-06-30."""
    try:
        year_before = as_of.replace(year=as_of.year - 1)
    except ValueError:  # 29 February
        year_before = as_of.replace(year=as_of.year - 1, day=28)
    return year_before + timedelta(days=1), as_of


def _with_schedule(current: FeeSchedule, proposal: ProposedSchedule) -> FeeSchedule:
    if not proposal.overlay:
        return FeeSchedule(f"{current.name} (proposed)", proposal.rows)
    listed = {(r.code_system, r.code) for r in proposal.rows}
    kept = tuple(r for r in current.rows if (r.code_system, r.code) not in listed)
    return FeeSchedule(f"{current.name} (proposed)", proposal.rows + kept)


def _term(term: PaymentTerm, proposal: ProposedSchedule) -> PaymentTerm:
    method = term.methodology
    if not isinstance(method, FeeScheduleRate):
        return term
    return replace(term, methodology=FeeScheduleRate(_with_schedule(method.fee_schedule, proposal)))


def terms_under(terms: ContractTerms, proposal: ScheduleProposal) -> ContractTerms:
    """The contract's terms with every fee-schedule term (and carve-out) priced from the proposal;
    a rate change leaves the terms as they are (it applies to the priced amounts)."""
    if isinstance(proposal, RateChange):
        return terms
    return replace(
        terms,
        terms=tuple(_term(t, proposal) for t in terms.terms),
        carve_outs=tuple(_term(t, proposal) for t in terms.carve_outs),
    )


@dataclass
class CodeImpact(Impact):
    units: Decimal = ZERO
    cost: Decimal | None = None  # per unit, when the organisation has costed the code

    @property
    def cost_of_service(self) -> Decimal | None:
        return None if self.cost is None else (self.cost * self.units).quantize(Decimal("0.01"))

    @property
    def margin_current(self) -> Decimal | None:
        cost = self.cost_of_service
        return None if cost is None else self.current - cost

    @property
    def margin_proposed(self) -> Decimal | None:
        cost = self.cost_of_service
        return None if cost is None else self.proposed - cost


@dataclass
class ScheduleWhatIf:
    """Impact over the claims re-priced, by code (with cost and margin), service line and payer."""

    claims: int = 0
    total: Impact = field(default_factory=Impact)
    by_code: dict[tuple[str, str], CodeImpact] = field(default_factory=dict)
    by_service_line: dict[str, Impact] = field(default_factory=dict)
    by_payer: dict[str, Impact] = field(default_factory=dict)

    def add(
        self,
        claim: Claim,
        current: PricedClaim,
        proposed: PricedClaim,
        proposal: ScheduleProposal,
        costs: Mapping[tuple[str, str], Decimal],
    ) -> None:
        self.claims += 1
        payer_id = claim.payer_id
        for billed, now, then in zip(claim.lines, current.lines, proposed.lines, strict=True):
            amount = (
                proposed_line_amount(then.code, then.expected_allowed, proposal)
                if isinstance(proposal, RateChange)
                else then.expected_allowed
            )
            key = (_system(billed.code_system), now.code)
            code = self.by_code.setdefault(key, CodeImpact(cost=costs.get(key)))
            code.units += billed.units
            line = self.by_service_line.setdefault(then.term or now.term or "not covered", Impact())
            for impact in (code, line, self.by_payer.setdefault(payer_id, Impact()), self.total):
                impact.lines += 1
                impact.current += now.expected_allowed
                impact.proposed += amount
        for table in (self.total, self.by_payer.setdefault(payer_id, Impact())):
            table.current += sum((c.expected_allowed for c in current.cases), ZERO)
            table.proposed += sum((c.expected_allowed for c in proposed.cases), ZERO)


def _system(system: CodeSystem) -> str:
    """The name code_costs keys a code system by (CPT for CPT/HCPCS, REV for revenue codes)."""
    return {CodeSystem.CPT_HCPCS: "CPT", CodeSystem.REVENUE: "REV"}.get(system, system.value)
