"""Appeal packets: the facts a letter to the payer cites, the amount due, the deadline, and the
appeal's own workflow (sent -> acknowledged -> paid | denied again -> escalated).

Pure: the handler loads the rows and hands them in as these dataclasses; nothing here reads a
clock or a database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum


class AppealStatus(StrEnum):
    DRAFT = "draft"
    SENT = "sent"
    ACKNOWLEDGED = "acknowledged"
    PAID = "paid"
    DENIED_AGAIN = "denied_again"
    ESCALATED = "escalated"


_NEXT: dict[AppealStatus, frozenset[AppealStatus]] = {
    AppealStatus.DRAFT: frozenset({AppealStatus.SENT}),
    AppealStatus.SENT: frozenset(
        {AppealStatus.ACKNOWLEDGED, AppealStatus.PAID, AppealStatus.DENIED_AGAIN, AppealStatus.ESCALATED}
    ),
    AppealStatus.ACKNOWLEDGED: frozenset(
        {AppealStatus.PAID, AppealStatus.DENIED_AGAIN, AppealStatus.ESCALATED}
    ),
    AppealStatus.DENIED_AGAIN: frozenset({AppealStatus.ESCALATED, AppealStatus.PAID}),
    AppealStatus.ESCALATED: frozenset({AppealStatus.PAID, AppealStatus.DENIED_AGAIN}),
    AppealStatus.PAID: frozenset(),
}
APPEALABLE = frozenset({"underpaid", "partly_denied", "denied"})


class AppealRefused(ValueError):
    """The variances cannot go in one appeal, or the move is not allowed from the appeal's status."""


def check_move(current: str, target: str) -> AppealStatus:
    """The target status when the appeal may move there from `current`; else AppealRefused."""
    try:
        now, then = AppealStatus(current), AppealStatus(target)
    except ValueError:
        raise AppealRefused(f"unknown appeal status {target!r}")
    if then not in _NEXT[now]:
        allowed = ", ".join(sorted(_NEXT[now])) or "nothing (it is closed)"
        raise AppealRefused(f"an appeal that is {now.value} can move to {allowed}, not {then.value}")
    return then


@dataclass(frozen=True, slots=True)
class ContractCited:
    contract_id: str
    name: str
    version: int
    effective_from: date
    effective_to: date | None
    appeal_window_days: int | None


@dataclass(frozen=True, slots=True)
class AdjustmentCited:
    group: str
    carc: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class LineCited:
    """One service line: what the contract says (its term, i.e. the clause) and what the payer did."""

    line_number: int
    code: str
    modifiers: str
    units: Decimal
    charge: Decimal
    term: str | None
    expected: Decimal
    paid: Decimal
    adjustments: tuple[AdjustmentCited, ...]
    remark_codes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ClaimCited:
    variance_id: str
    claim_id: str
    patient_control_number: str
    payer_claim_control_number: str | None
    service_date: date
    remittance_date: date
    classification: str
    status: str
    expected: Decimal
    paid: Decimal
    patient_responsibility: Decimal
    variance: Decimal
    claim_adjustments: tuple[AdjustmentCited, ...]
    explanation: tuple[str, ...]  # the stored pricing explanation, one step a line
    lines: tuple[LineCited, ...]


@dataclass(frozen=True, slots=True)
class Packet:
    payer_id: str
    payer_name: str
    contract: ContractCited
    claims: tuple[ClaimCited, ...]
    amount_due: Decimal
    deadline: date | None


def build_packet(payer_id: str, payer_name: str, contract: ContractCited, claims: list[ClaimCited]) -> Packet:
    """One letter for `claims` (all of one payer and one contract, each underpaid or denied and
    not yet closed); the amount due is the sum of their variances, the deadline the earliest day
    the contract's appeal window allows (remittance date + window)."""
    if not claims:
        raise AppealRefused("an appeal names at least one variance")
    for claim in claims:
        if claim.classification not in APPEALABLE:
            raise AppealRefused(
                f"variance {claim.variance_id} is {claim.classification}: only underpaid or denied "
                "claims are appealed"
            )
        if claim.status not in ("open", "appealed"):
            raise AppealRefused(f"variance {claim.variance_id} is {claim.status}: it is closed")
    amount = sum((c.variance for c in claims), Decimal(0))
    return Packet(
        payer_id=payer_id,
        payer_name=payer_name,
        contract=contract,
        claims=tuple(sorted(claims, key=lambda c: c.patient_control_number)),
        amount_due=amount,
        deadline=appeal_deadline(contract.appeal_window_days, [c.remittance_date for c in claims]),
    )


def appeal_deadline(window_days: int | None, remitted: list[date]) -> date | None:
    """The last day to appeal: the earliest remittance plus the contract's appeal window."""
    if window_days is None or not remitted:
        return None
    return min(remitted) + timedelta(days=window_days)


def one_payer_and_contract(rows: list[tuple[str, str | None]]) -> tuple[str, str]:
    """The (payer, contract) all variances share; AppealRefused when they differ or lack a contract."""
    kinds = set(rows)
    if len(kinds) != 1:
        raise AppealRefused("the variances of one appeal share a payer and a contract")
    ((payer, contract),) = kinds
    if contract is None:
        raise AppealRefused("a variance priced under no contract cannot be appealed on a contract")
    return payer, contract
