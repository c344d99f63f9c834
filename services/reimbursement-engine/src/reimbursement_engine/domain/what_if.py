"""What-if: a proposed contract change applied to terms or to priced lines, and its impact."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal

from reimbursement_engine.domain.pricing import ContractTerms, PaymentTerm, PercentOfMedicare, PricedClaim
from reimbursement_engine.domain.pricing.money import HUNDRED, to_cents


@dataclass(frozen=True, slots=True)
class RateChange:
    """+x% (or -x%) on the expected amount of codes from `first` to `last` (text order)."""

    percent: Decimal
    first: str
    last: str

    def covers(self, code: str) -> bool:
        return len(code) == len(self.first) and self.first <= code <= self.last


@dataclass(frozen=True, slots=True)
class MoveToPercentOfMedicare:
    """The named term (every term when None) priced at `percent` of Medicare."""

    percent: Decimal
    term: str | None = None
    basis: str | None = None  # the Medicare schedule (e.g. "ASC"); None: by the claim's setting


Proposal = RateChange | MoveToPercentOfMedicare


def proposed_terms(terms: ContractTerms, proposal: Proposal) -> ContractTerms:
    if not isinstance(proposal, MoveToPercentOfMedicare):
        return terms
    moved = tuple(
        replace(t, methodology=_moved(t, proposal))
        if proposal.term in (None, t.name) and not t.is_case
        else t
        for t in terms.terms
    )
    return replace(terms, terms=moved)


def _moved(term: PaymentTerm, proposal: MoveToPercentOfMedicare) -> PercentOfMedicare:
    locality = getattr(term.methodology, "locality", None)
    return PercentOfMedicare(proposal.percent, locality, basis=proposal.basis)


def proposed_line_amount(code: str, amount: Decimal, proposal: Proposal) -> Decimal:
    if isinstance(proposal, RateChange) and proposal.covers(code):
        return to_cents(amount * (HUNDRED + proposal.percent) / HUNDRED)
    return amount


@dataclass
class Impact:
    lines: int = 0
    current: Decimal = Decimal(0)
    proposed: Decimal = Decimal(0)

    @property
    def change(self) -> Decimal:
        return self.proposed - self.current


@dataclass
class WhatIfReport:
    claims: int = 0
    total: Impact = field(default_factory=Impact)
    by_code: dict[str, Impact] = field(default_factory=dict)
    by_service_line: dict[str, Impact] = field(default_factory=dict)

    def add(self, current: PricedClaim, proposed: PricedClaim, proposal: Proposal) -> None:
        self.claims += 1
        for now, then in zip(current.lines, proposed.lines, strict=True):
            amount = proposed_line_amount(then.code, then.expected_allowed, proposal)
            for key, table in (
                (now.code, self.by_code),
                (then.term or now.term or "not covered", self.by_service_line),
            ):
                impact = table.setdefault(key, Impact())
                impact.lines += 1
                impact.current += now.expected_allowed
                impact.proposed += amount
            self.total.lines += 1
            self.total.current += now.expected_allowed
            self.total.proposed += amount
        cases_now = sum((c.expected_allowed for c in current.cases), Decimal(0))
        cases_then = sum((c.expected_allowed for c in proposed.cases), Decimal(0))
        self.total.current += cases_now
        self.total.proposed += cases_then


def impacts(table: dict[str, Impact]) -> Iterable[tuple[str, Impact]]:
    return sorted(table.items(), key=lambda item: -abs(item[1].change))
