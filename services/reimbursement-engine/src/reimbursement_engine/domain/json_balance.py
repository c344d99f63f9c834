"""Balancing rules for remittances sent as JSON: the 835's rules, with JSON paths for the 835's
segments.

- remittance: total_paid (when given) = sum(claims[].paid)
- claim: charge - sum(claim and line adjustments) - patient_responsibility = paid, where
  patient_responsibility counts only when no PR-group adjustment carries it already (in an 835 the
  PR amounts are CAS PR adjustments; a JSON sender may give only the CLP05-like total)
- line: charge - sum(line adjustments) = paid
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from reimbursement_engine.domain.x12 import ClaimPayment, Transaction835

ZERO = Decimal(0)


class JsonRule(StrEnum):
    REMITTANCE = "total_paid = sum(claims[].paid)"
    CLAIM = (
        "claim charge - sum(claim and line adjustments) - patient_responsibility "
        "(unless PR adjustments) = paid"
    )
    LINE = "line charge - sum(line adjustments) = paid"


@dataclass(frozen=True, slots=True)
class JsonBreach:
    rule: JsonRule
    path: str
    claim: str | None
    message: str


def check_json_remittance(transaction: Transaction835, total_given: bool) -> list[JsonBreach]:
    """Every balancing rule the JSON remittance breaks, in document order."""
    breaches: list[JsonBreach] = []
    paid = sum((c.paid for c in transaction.claims), ZERO)
    if total_given and paid != transaction.total_paid:
        message = f"total_paid {transaction.total_paid} != sum of claims' paid {paid}"
        breaches.append(JsonBreach(JsonRule.REMITTANCE, "total_paid", None, message))
    for i, claim in enumerate(transaction.claims):
        breaches.extend(_claim(claim, f"claims[{i}]"))
    return breaches


def _claim(claim: ClaimPayment, path: str) -> list[JsonBreach]:
    pcn = claim.patient_control_number
    adjustments = claim.all_adjustments
    adjusted = sum((a.amount for a in adjustments), ZERO)
    carried = any(a.group_code == "PR" for a in adjustments)
    patient = ZERO if carried else (claim.patient_responsibility or ZERO)
    expected = claim.charge - adjusted - patient
    out = []
    if expected != claim.paid:
        message = (
            f"claim {pcn}: charge {claim.charge} - adjustments {adjusted} - patient responsibility "
            f"{patient} = {expected}, paid is {claim.paid}"
        )
        out.append(JsonBreach(JsonRule.CLAIM, path, pcn, message))
    for j, line in enumerate(claim.lines):
        line_adjusted = sum((a.amount for a in line.adjustments), ZERO)
        if line.charge - line_adjusted != line.paid:
            message = (
                f"claim {pcn} line {j + 1}: charge {line.charge} - adjustments {line_adjusted} "
                f"= {line.charge - line_adjusted}, paid is {line.paid}"
            )
            out.append(JsonBreach(JsonRule.LINE, f"{path}.lines[{j}]", pcn, message))
    return out
