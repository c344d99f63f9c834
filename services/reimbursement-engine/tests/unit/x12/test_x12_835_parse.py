"""835 remittance advice: every shared example parses into typed records; bad structure raises."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from reimbursement_engine.bench.x12_835 import generate_835
from reimbursement_engine.domain.x12 import (
    Adjustment,
    ProcedureCode,
    Rule,
    X12Error,
    parse_835,
)


@pytest.fixture
def load(x12_examples: Path) -> Callable[[str], bytes]:
    return lambda name: (x12_examples / "835" / name).read_bytes()


def test_every_shared_835_parses(shared_835: Path) -> None:
    remittance = parse_835(shared_835.read_bytes())

    assert remittance.transactions
    for transaction in remittance.transactions:
        assert transaction.claims
        assert isinstance(transaction.total_paid, Decimal)
        assert transaction.payer.name
        assert transaction.payee.name


@pytest.mark.parametrize(
    ("name", "total_paid", "trace", "payer_id", "claims"),
    [
        ("managed-care.835", "945.00", "7170066655", "1935665544", 2),
        ("medicare-part-a.835", "150000.00", "12345", "999", 2),
        ("secondary-payment.835", "1222.00", "0012524965", "1559123456", 2),
        ("denied-multiple-lines.835", "0", "000000000", "1386000134", 1),
    ],
)
def test_payment_header(
    name: str, total_paid: str, trace: str, payer_id: str, claims: int, load: Callable[[str], bytes]
) -> None:
    transaction = parse_835(load(name)).transactions[0]

    assert transaction.total_paid == Decimal(total_paid)
    assert transaction.trace_number == trace
    assert transaction.payer.id == payer_id
    assert len(transaction.claims) == claims


def test_claim_and_line_of_a_secondary_payment(load: Callable[[str], bytes]) -> None:
    claim = parse_835(load("secondary-payment.835")).claims[1]

    assert (claim.patient_control_number, claim.status_code) == ("0001000053", "2")
    assert (claim.charge, claim.paid, claim.patient_responsibility) == (
        Decimal("751.50"),
        Decimal("310.00"),
        Decimal("220.00"),
    )
    assert claim.payer_claim_control_number == "05630626430"
    assert (claim.statement_start, claim.statement_end) == (date(2005, 1, 6), date(2005, 1, 6))
    line = claim.lines[1]
    assert line.procedure == ProcedureCode("HC", "66543", ("26",))
    assert (line.charge, line.paid, line.units, line.allowed) == (
        Decimal("585.00"),
        Decimal("280.00"),
        Decimal("1.00"),
        Decimal("500.00"),
    )
    assert line.revenue_code == "220"
    assert line.service_date == date(2005, 1, 6)
    assert [(a.group_code, a.reason_code, a.amount) for a in line.adjustments] == [
        ("PR", "1", Decimal("150.00")),
        ("PR", "2", Decimal("70.00")),
        ("CO", "42", Decimal("85.00")),
    ]


def test_the_sender_separator_quirk_is_parsed_and_noted(load: Callable[[str], bytes]) -> None:
    transaction = parse_835(load("secondary-payment.835")).transactions[0]

    assert {n.rule for n in transaction.notes} == {Rule.COMPONENT_SEPARATOR, Rule.PAYMENT_DATE}


def test_denied_claim_lines_carry_remark_codes_and_service_periods(load: Callable[[str], bytes]) -> None:
    claim = parse_835(load("denied-multiple-lines.835")).claims[0]

    assert claim.status_code == "4"
    assert [line.remark_codes for line in claim.lines] == [("N14",)] * 3
    assert claim.lines[0].service_date == date(2003, 11, 29)
    assert claim.lines[0].adjustments == (Adjustment("CO", "16", Decimal("500.04"), None, 20),)


def test_medicare_claim_remarks_and_provider_level_adjustment(load: Callable[[str], bytes]) -> None:
    transaction = parse_835(load("medicare-part-a.835")).transactions[0]

    assert transaction.claims[0].facility_code == "11"
    assert transaction.claims[1].remark_codes == ("MA02",)
    [plb] = transaction.provider_adjustments
    assert (plb.provider_id, plb.fiscal_period_date) == ("6543210903", date(2002, 12, 31))
    assert (plb.reason_code, plb.reference, plb.amount) == ("CV", "CP", Decimal("-1.27"))


def test_several_transactions_in_one_interchange() -> None:
    one = generate_835(2)
    body = one[one.index("ST*") : one.index("GE*")]
    two = one.replace(body, body + body.replace("*0001~", "*0002~")).replace("GE*1*", "GE*2*")

    remittance = parse_835(two)

    assert [t.control_number for t in remittance.transactions] == ["0001", "0002"]
    assert len(remittance.claims) == 4


BASE = generate_835(1, newlines=True)
CLP = "CLP*PCN00000001*1*1275.07*755.04"


@pytest.mark.parametrize(
    ("original", "changed", "rule", "segment_id"),
    [
        ("SE*21*0001~\nGE*1*1~\nIEA*1*000000001~\n", "", "truncated", ""),
        (CLP, CLP.replace("755.04", "7S5.04"), "CLP04 is a decimal number", "CLP"),
        (CLP, CLP.replace("1275.07", "NaN"), "CLP03 is a decimal number", "CLP"),
        ("*11*1~\n", "*11*1*******~\n", "CLP has at most 14 elements", "CLP"),
        ("CAS*CO*45*", "CAS*CO*45*1O.00*", "CAS03 is a decimal number", "CAS"),
        ("005010X221A1", "004010X091A1", "835 version 005010X221A1", "ST"),
        ("ST*835*", "ST*837*", "ST01 = 835", "ST"),
        ("LX*1~\n", "LX*1~\nCAS*CO*45*1.00~\n", "CAS belongs to a claim (loop 2100)", "CAS"),
        ("TRN*", "XXX*", "835 requires TRN", "ST"),
        ("N1*PE*", "N2*PE*", "835 requires N1*PE", "ST"),
        ("DTM*472*20250115", "DTM*472*20250231", "DTM02 is a CCYYMMDD date", "DTM"),
        ("IEA*1*000000001~\n", "IEA*1*000000001~\nST*835*0002~", "after IEA only an ISA", "ST"),
        ("IEA*1*000000001~\n", "IEA*1*000000001~\n" + BASE, "one interchange per input", "ISA"),
    ],
)
def test_structural_errors_raise_x12_error_naming_the_rule(
    original: str, changed: str, rule: str, segment_id: str
) -> None:
    assert original in BASE

    with pytest.raises(X12Error) as raised:
        parse_835(BASE.replace(original, changed))

    assert raised.value.rule == rule
    assert raised.value.segment_id == segment_id
