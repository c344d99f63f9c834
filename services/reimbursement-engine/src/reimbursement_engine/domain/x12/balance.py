"""The 835 balancing rules (TR3 section 1.10.2), reported as findings rather than raised."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from .errors import REFUSING_RULES, Finding, Rule, X12Refusal
from .parse_835 import stream_835
from .remittance import ClaimPayment, Payment835, Remittance835, Transaction835


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


def checked_835(data: bytes | bytearray | str) -> Iterator[Payment835 | ClaimPayment | Transaction835]:
    """`stream_835` (without its closing Remittance835) with every refusing rule checked as the
    items pass, keeping running totals (the claims' CLP04 sum) and the breaches, not the claims.

    Raises X12Refusal listing every breach (as `validate_835` finds them, in file order) once the
    whole file is read, or X12Error when it is malformed: every item may have been given before
    either, so a caller that stores items as they come must undo its work when one is raised."""
    breaches: list[Finding] = []
    paid = Decimal(0)
    for item in stream_835(data):
        if isinstance(item, ClaimPayment):
            paid += item.paid
            breaches += check_claim(item)
            yield item
        elif isinstance(item, Payment835):
            paid = Decimal(0)
            yield item
        elif isinstance(item, Transaction835):
            breaches += transaction_balance(item, paid)
            yield item
        else:
            breaches += item.envelope_findings
    refusing = [f.breach for f in breaches if f.rule in REFUSING_RULES]
    if refusing:
        raise X12Refusal(refusing)


def check_transaction(transaction: Transaction835) -> list[Finding]:
    paid = sum((c.paid for c in transaction.claims), Decimal(0))
    findings = transaction_balance(transaction, paid)
    for claim in transaction.claims:
        findings.extend(check_claim(claim))
    return sorted(findings, key=lambda f: f.segment_index)


def transaction_balance(transaction: Transaction835, paid: Decimal) -> list[Finding]:
    """BPR02 = sum(CLP04) - sum(PLB), `paid` being the transaction's sum(CLP04)."""
    findings: list[Finding] = []
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
    return findings


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
