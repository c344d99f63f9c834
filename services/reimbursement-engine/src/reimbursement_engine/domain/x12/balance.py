"""The 835 balancing rules (TR3 section 1.10.2), reported as findings rather than raised."""

from __future__ import annotations

from decimal import Decimal

from .errors import Finding, Rule
from .remittance import ClaimPayment, Remittance835, Transaction835


def check_balancing(remittance: Remittance835) -> list[Finding]:
    """Every balancing rule each transaction, claim and line breaks, in file order."""
    findings: list[Finding] = []
    for transaction in remittance.transactions:
        findings.extend(check_transaction(transaction))
    return findings


def validate_835(remittance: Remittance835) -> list[Finding]:
    """Envelope counts and control numbers, balancing, and what the parser noted (separator quirks,
    unknown codes): every finding, in file order."""
    notes = [note for t in remittance.transactions for note in t.notes]
    findings = [*remittance.envelope_findings, *notes, *check_balancing(remittance)]
    return sorted(findings, key=lambda f: f.segment_index)


def check_transaction(transaction: Transaction835) -> list[Finding]:
    findings: list[Finding] = []
    paid = sum((c.paid for c in transaction.claims), Decimal(0))
    provider_adjusted = sum((p.amount for p in transaction.provider_adjustments), Decimal(0))
    expected = paid - provider_adjusted
    if expected != transaction.total_paid:
        message = f"BPR02 {transaction.total_paid} != sum(CLP04) {paid} - sum(PLB) {provider_adjusted}"
        findings.append(
            Finding(
                Rule.TRANSACTION_BALANCE,
                transaction.bpr_segment_index,
                "BPR",
                message,
                expected=expected,
                actual=transaction.total_paid,
            )
        )
    for claim in transaction.claims:
        findings.extend(check_claim(claim))
    return sorted(findings, key=lambda f: f.segment_index)


def check_claim(claim: ClaimPayment) -> list[Finding]:
    """CLP03 - all CAS (claim and line level) = CLP04; each line SVC02 - its CAS = SVC03."""
    findings: list[Finding] = []
    adjusted = sum((a.amount for a in claim.all_adjustments), Decimal(0))
    expected = claim.charge - adjusted
    if expected != claim.paid:
        message = (
            f"claim {claim.patient_control_number}: CLP03 {claim.charge} - CAS {adjusted} "
            f"= {expected}, CLP04 is {claim.paid}"
        )
        findings.append(
            Finding(Rule.CLAIM_BALANCE, claim.segment_index, "CLP", message, expected, claim.paid)
        )
    for line in claim.lines:
        line_adjusted = sum((a.amount for a in line.adjustments), Decimal(0))
        line_expected = line.charge - line_adjusted
        if line_expected != line.paid:
            message = (
                f"claim {claim.patient_control_number} line: SVC02 {line.charge} - CAS "
                f"{line_adjusted} = {line_expected}, SVC03 is {line.paid}"
            )
            findings.append(
                Finding(Rule.LINE_BALANCE, line.segment_index, "SVC", message, line_expected, line.paid)
            )
    return findings
