"""835 balancing: shared examples balance; malformed ones and broken amounts are reported."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from reimbursement_engine.bench.x12_835 import generate_835
from reimbursement_engine.domain.x12 import (
    Rule,
    X12Error,
    check_balancing,
    parse_835,
    validate_835,
)

BALANCING_RULES = {Rule.TRANSACTION_BALANCE, Rule.CLAIM_BALANCE, Rule.LINE_BALANCE, Rule.SEGMENT_COUNT}


def test_every_shared_835_balances(shared_835: Path) -> None:
    assert check_balancing(parse_835(shared_835.read_bytes())) == []


def reported_rules(data: bytes) -> set[str]:
    """The rule of the X12Error raised, or the balancing rules the file breaks."""
    try:
        findings = validate_835(parse_835(data))
    except X12Error as error:
        return {error.rule}
    return {f.rule for f in findings if f.rule in BALANCING_RULES}


def test_every_malformed_file_is_reported(shared_malformed: Path) -> None:
    assert reported_rules(shared_malformed.read_bytes())


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "tertiary-payment-svc-separator.835",
            [(Rule.COMPOSITE_SHAPE, 19, "SVC"), (Rule.LINE_BALANCE, 19, "SVC")],
        ),
        (
            "unbalanced-demo.835",
            [
                (Rule.TRANSACTION_BALANCE, 3, "BPR"),
                (Rule.CLAIM_BALANCE, 19, "CLP"),
                (Rule.COMPONENT_SEPARATOR, 32, "PLB"),
                (Rule.SEGMENT_COUNT, 33, "SE"),
            ],
        ),
    ],
)
def test_what_is_wrong_with_each_malformed_file(
    x12_examples: Path, name: str, expected: list[tuple[Rule, int, str]]
) -> None:
    findings = validate_835(parse_835((x12_examples / "malformed" / name).read_bytes()))

    found = {(f.rule, f.segment_index, f.segment_id) for f in findings}
    assert set(expected) <= found


def test_unbalanced_demo_names_both_sides_of_the_transaction_rule(x12_examples: Path) -> None:
    remittance = parse_835((x12_examples / "malformed" / "unbalanced-demo.835").read_bytes())

    [finding] = [f for f in check_balancing(remittance) if f.rule is Rule.TRANSACTION_BALANCE]

    # 138018.40 paid on the claim, minus a PLB of -1.27 (an addition), is not the 150000 sent.
    assert (finding.expected, finding.actual) == (Decimal("138019.67"), Decimal("150000"))


BASE = generate_835(1)  # one claim, two lines, a WO recoupment of 25.00 and L6 interest of -3.17


@pytest.mark.parametrize(
    ("original", "changed", "rule", "segment_index"),
    [
        ("BPR*I*733.21*", "BPR*I*733.22*", Rule.TRANSACTION_BALANCE, 3),
        ("*L6*-3.17~", "*L6*-3.18~", Rule.TRANSACTION_BALANCE, 3),
        ("CAS*CO*45*199.78~", "CAS*CO*45*199.79~", Rule.LINE_BALANCE, 12),
        ("SVC*HC:71046*554.94*355.16", "SVC*HC:71046*554.94*355.17", Rule.LINE_BALANCE, 12),
        ("SE*21*", "SE*20*", Rule.SEGMENT_COUNT, 22),
    ],
)
def test_a_broken_amount_is_reported_where_it_breaks_a_rule(
    original: str, changed: str, rule: Rule, segment_index: int
) -> None:
    assert original in BASE

    findings = validate_835(parse_835(BASE.replace(original, changed)))

    assert (rule, segment_index) in {(f.rule, f.segment_index) for f in findings}


def test_a_line_cas_change_also_unbalances_the_claim() -> None:
    findings = check_balancing(parse_835(BASE.replace("CAS*PR*1*25.00~", "CAS*PR*1*25.01~")))

    assert [(f.rule, f.segment_id) for f in findings] == [
        (Rule.CLAIM_BALANCE, "CLP"),
        (Rule.LINE_BALANCE, "SVC"),
    ]
    assert (findings[0].expected, findings[0].actual) == (Decimal("755.03"), Decimal("755.04"))


def test_claim_level_cas_counts_toward_the_claim_rule() -> None:
    # Moving 10.00 of contractual adjustment from a line to the claim: line breaks, claim holds.
    moved = (
        BASE.replace("CAS*CO*45*199.78~", "CAS*CO*45*189.78~")
        .replace("DTM*232*20250115~", "DTM*232*20250115~\nCAS*CO*45*10.00~")
        .replace("SE*21*", "SE*22*")
    )

    findings = check_balancing(parse_835(moved))

    assert [f.rule for f in findings] == [Rule.LINE_BALANCE]
