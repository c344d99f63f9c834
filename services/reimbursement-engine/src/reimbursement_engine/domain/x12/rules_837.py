"""Rules over the claims of one 837 upload that no single segment shows: TR3 CLM02 notes and
claim identity. Each breach is a `Finding` naming the rule; all of them are reported."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

from .claims import Claim837
from .dtp import date_range
from .errors import Breach, Finding, Rule, X12Error
from .tokenizer import Segment


def check_claims(claims: Sequence[Claim837]) -> list[Finding]:
    """Every claim whose CLM02 is not the sum of its lines, that has no line, or repeats a CLM01."""
    findings: list[Finding] = []
    first_at: dict[str, int] = {}
    for claim in claims:
        findings.extend(check_charges(claim))
        pcn = claim.patient_control_number
        if pcn in first_at:
            message = f"CLM01 {pcn!r} is also the claim at segment {first_at[pcn]}"
            findings.append(Finding(Rule.CLAIM_ID_UNIQUE, claim.segment_index, "CLM", message))
        else:
            first_at[pcn] = claim.segment_index
    return findings


def check_charges(claim: Claim837) -> list[Finding]:
    """TR3 (X222 and X223 CLM02 notes): the total claim charge is the sum of the line charges."""
    pcn = claim.patient_control_number
    if not claim.lines:
        message = f"claim {pcn!r} has no service line (loop 2400)"
        return [Finding(Rule.CLAIM_HAS_LINES, claim.segment_index, "CLM", message)]
    lines = sum((line.charge for line in claim.lines), Decimal(0))
    if lines == claim.total_charge:
        return []
    message = f"claim {pcn!r}: CLM02 {claim.total_charge} differs from the sum of its line charges {lines}"
    return [Finding(Rule.CLAIM_CHARGE_TOTAL, claim.segment_index, "CLM", message, lines, claim.total_charge)]


def date_breaches(segments: Iterable[Segment]) -> list[Breach]:
    """Every DTP among `segments` whose format or value the TR3 does not allow."""
    breaches: list[Breach] = []
    for segment in segments:
        if segment.id == "DTP":
            try:
                date_range(segment)
            except X12Error as error:
                breaches.extend(error.breaches)
    return breaches
