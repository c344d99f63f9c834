"""Payer scorecard: per payer and contract over a period, and per month of service within it.

Expected vs paid, the underpayment rate, denials by CARC group (CO, PR, OA, PI, CR) and by RARC,
days to pay against the contract's prompt-pay days, the prompt-pay interest the payer owes for late
payments (simple interest, 365-day year, calendar days, half-up to the cent: as the tracker's
obligation), and recoveries (amount, and days from the remittance to the recovery).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
RATE = Decimal("0.0001")
UNDERPAID = frozenset({"underpaid", "partly_denied"})
DENIED = frozenset({"denied", "partly_denied"})


@dataclass(frozen=True, slots=True)
class Remitted:
    """What the payer did with a claim (its variance) and the codes it gave."""

    remittance_date: date
    paid: Decimal
    patient_responsibility: Decimal
    expected: Decimal
    classification: str
    variance: Decimal
    carcs: tuple[str, ...]  # "CO-50"
    rarcs: tuple[str, ...]  # "N130"
    recovered: Decimal | None = None
    recovered_on: date | None = None


@dataclass(frozen=True, slots=True)
class ClaimFact:
    payer_id: str
    contract_id: str | None
    service_date: date
    received_date: date
    expected: Decimal
    prompt_pay_days: int | None
    interest_rate: Decimal | None  # annual, as a fraction (0.12 = 12%)
    remitted: Remitted | None


def interest_owed(paid: Decimal, annual_rate: Decimal | None, days_late: int) -> Decimal:
    if days_late <= 0 or not annual_rate:
        return Decimal("0.00")
    return (paid * annual_rate * days_late / 365).quantize(CENT, rounding=ROUND_HALF_UP)


def _rate(count: int, of: int) -> Decimal | None:
    return (Decimal(count) / of).quantize(RATE, rounding=ROUND_HALF_UP) if of else None


@dataclass
class Score:
    claims: int = 0
    reconciled: int = 0
    expected: Decimal = Decimal("0.00")
    expected_reconciled: Decimal = Decimal("0.00")
    paid: Decimal = Decimal("0.00")
    patient_responsibility: Decimal = Decimal("0.00")
    underpaid_claims: int = 0
    underpayment: Decimal = Decimal("0.00")
    denied_claims: int = 0
    denials_by_carc_group: Counter[str] = field(default_factory=Counter)
    denials_by_rarc: Counter[str] = field(default_factory=Counter)
    days_to_pay: list[int] = field(default_factory=list)
    paid_late: int = 0
    interest_owed: Decimal = Decimal("0.00")
    recovered_claims: int = 0
    recovered: Decimal = Decimal("0.00")
    recovery_days: list[int] = field(default_factory=list)

    def add(self, fact: ClaimFact) -> None:
        self.claims += 1
        self.expected += fact.expected
        r = fact.remitted
        if r is None:
            return
        self.reconciled += 1
        self.expected_reconciled += r.expected
        self.paid += r.paid
        self.patient_responsibility += r.patient_responsibility
        if r.classification in UNDERPAID:
            self.underpaid_claims += 1
            self.underpayment += r.variance
        if r.classification in DENIED:
            self.denied_claims += 1
            self.denials_by_carc_group.update({c.split("-", 1)[0] for c in r.carcs} or {"unknown"})
            self.denials_by_rarc.update(set(r.rarcs))
        self._timing(fact, r)
        if r.recovered is not None and r.recovered_on is not None:
            self.recovered_claims += 1
            self.recovered += r.recovered
            self.recovery_days.append((r.recovered_on - r.remittance_date).days)

    def _timing(self, fact: ClaimFact, r: Remitted) -> None:
        days = (r.remittance_date - fact.received_date).days
        self.days_to_pay.append(days)
        if fact.prompt_pay_days is not None and days > fact.prompt_pay_days:
            self.paid_late += 1
            self.interest_owed += interest_owed(r.paid, fact.interest_rate, days - fact.prompt_pay_days)

    def as_json(self) -> dict[str, object]:
        def average(values: list[int]) -> str | None:
            return str((Decimal(sum(values)) / len(values)).quantize(Decimal("0.1"))) if values else None

        return {
            "claims": self.claims,
            "reconciled_claims": self.reconciled,
            "expected_allowed": str(self.expected),
            "expected_reconciled": str(self.expected_reconciled),
            "paid": str(self.paid),
            "patient_responsibility": str(self.patient_responsibility),
            "underpayment_amount": str(self.underpayment),
            "underpayment_rate": _str(_rate(self.underpaid_claims, self.reconciled)),
            "denial_rate": _str(_rate(self.denied_claims, self.reconciled)),
            "denial_rate_by_carc_group": _rates(self.denials_by_carc_group, self.reconciled),
            "denial_rate_by_rarc": _rates(self.denials_by_rarc, self.reconciled),
            "average_days_to_pay": average(self.days_to_pay),
            "paid_late": self.paid_late,
            "prompt_pay_interest_owed": str(self.interest_owed),
            "recovered_claims": self.recovered_claims,
            "recovered_amount": str(self.recovered),
            "average_recovery_days": average(self.recovery_days),
        }


def _str(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _rates(counts: Counter[str], of: int) -> dict[str, str | None]:
    return {key: _str(_rate(n, of)) for key, n in sorted(counts.items())}


@dataclass
class PayerScorecard:
    payer_id: str
    contract_id: str | None
    prompt_pay_days: int | None = None
    total: Score = field(default_factory=Score)
    months: dict[str, Score] = field(default_factory=dict)

    def as_json(self) -> dict[str, object]:
        return {
            "payer_id": self.payer_id,
            "contract_id": self.contract_id,
            "prompt_pay_days": self.prompt_pay_days,
            **self.total.as_json(),
            "months": [{"month": m, **s.as_json()} for m, s in sorted(self.months.items())],
        }


def scorecards(facts: list[ClaimFact]) -> list[PayerScorecard]:
    """One scorecard per payer and contract, each with its months (of service), in payer order."""
    cards: dict[tuple[str, str | None], PayerScorecard] = {}
    for fact in facts:
        card = cards.setdefault(
            (fact.payer_id, fact.contract_id), PayerScorecard(fact.payer_id, fact.contract_id)
        )
        card.prompt_pay_days = (
            fact.prompt_pay_days if fact.prompt_pay_days is not None else card.prompt_pay_days
        )
        card.total.add(fact)
        card.months.setdefault(fact.service_date.strftime("%Y-%m"), Score()).add(fact)
    return sorted(cards.values(), key=lambda c: (c.payer_id, c.contract_id or ""))
