"""Per-claim deadlines: timely filing, prompt pay (and its interest), appeal.

Conventions:
- Timely filing and appeal deadlines are the provider's: ``start + N`` calendar days, pulled back
  to the preceding business day when that lands on a weekend or holiday (the safe reading).
- The prompt-pay due date is the payer's: ``receipt + N`` calendar or business days, as is.
- Interest on a late payment is simple interest on a fixed 365-day year, leap years included:
  ``paid amount x annual rate x days late / 365``, rounded half-up to the cent. Days late are
  calendar days after the due date (paid on the due date = on time).
- Obligations name the claim as staff know it, by its patient control number (Accord's claim id
  when the event carried none), and the payer by name; no other patient detail, so titles are safe
  in calendar feeds and emails.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from uuid import UUID

from obligation_tracker.domain.business_calendar import BusinessCalendar, DayCount, OrgSchedule, add_days
from obligation_tracker.domain.contract_terms import ContractVersionSnapshot
from obligation_tracker.domain.model import Obligation, ObligationKey, ObligationKind

CENT = Decimal("0.01")
DAYS_IN_INTEREST_YEAR = Decimal(365)


class RemittanceOutcome(StrEnum):
    PAID_AS_CONTRACTED = "paid_as_contracted"
    UNDERPAID = "underpaid"
    DENIED = "denied"


APPEALABLE = frozenset({RemittanceOutcome.UNDERPAID, RemittanceOutcome.DENIED})
# The deadlines a payment settles; the claim's pricing creates them.
SETTLED_BY_PAYMENT = frozenset({ObligationKind.TIMELY_FILING, ObligationKind.PROMPT_PAY})
# The engine's variance classifications that open an appeal, and the outcome each counts as.
_VARIANCE_OUTCOMES = {
    "underpaid": RemittanceOutcome.UNDERPAID,
    "denied": RemittanceOutcome.DENIED,
    "partly_denied": RemittanceOutcome.DENIED,
}


def appealable_outcome(classification: str) -> RemittanceOutcome | None:
    """The outcome a claim.variance_detected classification counts as; None when not appealable."""
    return _VARIANCE_OUTCOMES.get(classification)


@dataclass(frozen=True)
class ClaimDeadlineFacts:
    """The dates of a claim that start its clocks. For inpatient claims ``date_of_service`` is the
    date the contract counts from (usually discharge)."""

    claim_id: UUID
    contract_id: UUID
    date_of_service: date
    payer_received_on: date | None = None
    remitted_on: date | None = None
    outcome: RemittanceOutcome | None = None
    patient_control_number: str | None = None
    payer_name: str | None = None

    @property
    def label(self) -> str:
        """ "claim PCN-1001 (Acme Health)": how titles name the claim and its payer."""
        named = f"claim {self.patient_control_number or self.claim_id}"
        return f"{named} ({self.payer_name})" if self.payer_name else named


def timely_filing_deadline(date_of_service: date, limit_days: int, business: BusinessCalendar) -> date:
    return business.preceding_business_day(date_of_service + timedelta(days=limit_days))


def appeal_deadline(remitted_on: date, appeal_window_days: int, business: BusinessCalendar) -> date:
    return business.preceding_business_day(remitted_on + timedelta(days=appeal_window_days))


def prompt_pay_due_date(
    received_on: date, prompt_pay_days: int, day_count: DayCount, business: BusinessCalendar
) -> date:
    return add_days(received_on, prompt_pay_days, day_count, business)


def prompt_pay_interest(paid_amount: Decimal, annual_rate: Decimal, days_late: int) -> Decimal:
    """Simple interest, 365-day year, half-up to the cent; nothing when not late."""
    if days_late <= 0:
        return Decimal("0.00")
    interest = paid_amount * annual_rate * days_late / DAYS_IN_INTEREST_YEAR
    return interest.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class PromptPayAssessment:
    due_on: date
    paid_on: date
    days_late: int
    interest_owed: Decimal

    @property
    def breached(self) -> bool:
        return self.days_late > 0


def assess_prompt_pay(
    due_on: date, paid_on: date, paid_amount: Decimal, annual_rate: Decimal | None
) -> PromptPayAssessment:
    """Was the payment late, and how much interest does the payer owe (zero without a rate)?"""
    days_late = max((paid_on - due_on).days, 0)
    interest = prompt_pay_interest(paid_amount, annual_rate or Decimal(0), days_late)
    return PromptPayAssessment(due_on, paid_on, days_late, interest)


def payment_awaits_pricing(held: Iterable[ObligationKind], *, priced: bool) -> bool:
    """A payment waits for its claim's pricing (the two travel on different topics, in either
    order) until that pricing is applied, whatever deadlines it created: a pricing that created
    none leaves the payment nothing to settle. A claim priced before pricings were recorded counts
    as priced when it holds a deadline only its pricing creates."""
    return not priced and SETTLED_BY_PAYMENT.isdisjoint(held)


def settle_prompt_pay(obligation: Obligation, assessment: PromptPayAssessment) -> Obligation:
    """Close a prompt-pay obligation once the payment arrives: completed, or breached with interest."""
    if not assessment.breached:
        return obligation.complete(f"paid on {assessment.paid_on}, on time")
    return obligation.breach(
        f"paid on {assessment.paid_on}, {assessment.days_late} days late;"
        f" interest owed {assessment.interest_owed}"
    )


def claim_obligations(
    claim: ClaimDeadlineFacts, version: ContractVersionSnapshot, schedule: OrgSchedule
) -> tuple[Obligation, ...]:
    """The deadlines ``claim`` has under ``version`` (the version in force on its date of service)."""
    business = schedule.business_calendar
    found: list[Obligation] = []

    def add(kind: ObligationKind, title: str, due: date, why: str) -> None:
        key = ObligationKey(kind, claim.contract_id, claim.claim_id)
        reason = f"{why} (contract version {version.version_number})"
        label = f"{title}: {claim.label}"
        found.append(Obligation.new(key, label, due, schedule.due_at(due), reason))

    if version.timely_filing_days is not None:
        days = version.timely_filing_days
        due = timely_filing_deadline(claim.date_of_service, days, business)
        why = f"date of service {claim.date_of_service} + {days} days"
        add(ObligationKind.TIMELY_FILING, "Timely filing", due, why)
    if version.prompt_pay_days is not None and claim.payer_received_on is not None:
        days, count = version.prompt_pay_days, version.prompt_pay_day_count
        due = prompt_pay_due_date(claim.payer_received_on, days, count, business)
        why = f"received by payer {claim.payer_received_on} + {days} {count.value} days"
        add(ObligationKind.PROMPT_PAY, "Payer prompt-pay due", due, why)
    if _appealable(claim) and version.appeal_window_days is not None and claim.remitted_on:
        days = version.appeal_window_days
        due = appeal_deadline(claim.remitted_on, days, business)
        why = f"{claim.outcome} on remittance {claim.remitted_on} + {days} days"
        add(ObligationKind.APPEAL, "Appeal deadline", due, why)
    return tuple(found)


def _appealable(claim: ClaimDeadlineFacts) -> bool:
    return claim.outcome in APPEALABLE
