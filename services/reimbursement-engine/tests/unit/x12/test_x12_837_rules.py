"""837 files as written: every breach reported with its rule, layout and several interchanges taken.

Generated files: two professional claims, PCN00000001 (CLM at segment 16, lines 554.94 + 601.25 =
1156.19) and PCN00000002 (CLM at segment 28, 720.13 + 686.91 = 1407.04); SE at 36, GE 37, IEA 38.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from reimbursement_engine.bench.x12_837 import Envelope837, generate_837
from reimbursement_engine.domain.x12 import ClaimKind, Rule, X12Error, X12Refusal, parse_837, read_837

TWO_CLAIMS = generate_837(2)
INSTITUTIONAL = generate_837(1, envelope=Envelope837(ClaimKind.INSTITUTIONAL))


def breaches(text: str) -> list[tuple[str, int, str]]:
    """(rule, segment index, segment id) of every breach `parse_837` refuses `text` with."""
    with pytest.raises(X12Refusal) as raised:
        parse_837(text)
    return [(b.rule, b.segment_index, b.segment_id) for b in raised.value.breaches]


def test_the_generated_file_is_taken_as_written() -> None:
    claims = parse_837(TWO_CLAIMS)

    assert [(c.patient_control_number, c.total_charge) for c in claims] == [
        ("PCN00000001", Decimal("1156.19")),
        ("PCN00000002", Decimal("1407.04")),
    ]
    assert read_837(TWO_CLAIMS).breaches == ()


@pytest.mark.parametrize(
    ("original", "changed", "rule", "segment_index", "segment_id"),
    [
        ("SE*35*0001", "SE*34*0001", Rule.SEGMENT_COUNT, 36, "SE"),
        ("SE*35*0001", "SE*3S*0001", Rule.SEGMENT_COUNT, 36, "SE"),
        ("SE*35*0001", "SE*35*0002", Rule.TRANSACTION_CONTROL, 36, "SE"),
        ("GE*1*1~", "GE*2*1~", Rule.GROUP_COUNT, 37, "GE"),
        ("GE*1*1~", "GE*1*7~", Rule.GROUP_CONTROL, 37, "GE"),
        ("IEA*1*000000001", "IEA*0*000000001", Rule.INTERCHANGE_COUNT, 38, "IEA"),
        ("IEA*1*000000001", "IEA*1*000000009", Rule.INTERCHANGE_CONTROL, 38, "IEA"),
        ("CLM*PCN00000002*", "CLM*PCN00000001*", Rule.CLAIM_ID_UNIQUE, 28, "CLM"),
        ("*1156.19***", "*1156.20***", Rule.CLAIM_CHARGE_TOTAL, 16, "CLM"),
    ],
)
def test_each_envelope_and_claim_rule_refuses_naming_itself(
    original: str, changed: str, rule: Rule, segment_index: int, segment_id: str
) -> None:
    assert original in TWO_CLAIMS

    assert breaches(TWO_CLAIMS.replace(original, changed)) == [(rule.value, segment_index, segment_id)]


def test_every_breach_of_a_file_is_listed_in_file_order() -> None:
    broken = (
        TWO_CLAIMS.replace("*1156.19***", "*1156.00***")
        .replace("CLM*PCN00000002*", "CLM*PCN00000001*")
        .replace("SE*35*", "SE*30*")
        .replace("GE*1*1~", "GE*1*2~")
        .replace("IEA*1*000000001", "IEA*1*000000002")
    )

    assert breaches(broken) == [
        (Rule.CLAIM_CHARGE_TOTAL.value, 16, "CLM"),
        (Rule.CLAIM_ID_UNIQUE.value, 28, "CLM"),
        (Rule.SEGMENT_COUNT.value, 36, "SE"),
        (Rule.GROUP_CONTROL.value, 37, "GE"),
        (Rule.INTERCHANGE_CONTROL.value, 38, "IEA"),
    ]


def test_the_charge_rule_names_both_sides() -> None:
    with pytest.raises(X12Refusal) as raised:
        parse_837(TWO_CLAIMS.replace("*1156.19***", "*1156.00***"))

    (breach,) = raised.value.breaches
    assert "CLM02 1156.00 differs from the sum of its line charges 1156.19" in breach.message
    assert raised.value.rule == Rule.CLAIM_CHARGE_TOTAL.value  # an X12Error like any other


def test_claims_that_cannot_be_read_are_all_listed_with_every_bad_date() -> None:
    # Service dates at segments 20, 23 (first claim) and 32, 35 (second claim).
    first, second, third, fourth, rest = TWO_CLAIMS.split("DTP*472*D8*20250115")
    broken = "DTP*472*D8*20250115".join([first, second, third]) + "DTP*472*D8*20250132"
    broken += fourth + "DTP*472*RD8*20250116-20250115" + rest
    broken = broken.replace("CLM*PCN00000001*1156.19", "CLM*PCN00000001*1156.I9")

    assert breaches(broken) == [
        ("CLM02 is a decimal number", 16, "CLM"),
        ("DTP03 is a CCYYMMDD date", 32, "DTP"),
        ("RD8 period ends on or after its start", 35, "DTP"),
    ]


@pytest.mark.parametrize(
    ("dtp", "admission", "statement"),
    [
        ("DTP*096*TM*0900", None, (date(2025, 1, 15), date(2025, 1, 15))),
        ("DTP*435*DT*202501140730", date(2025, 1, 14), (date(2025, 1, 15), date(2025, 1, 15))),
        ("DTP*435*D8*20250114", date(2025, 1, 14), (date(2025, 1, 15), date(2025, 1, 15))),
    ],
)
def test_837i_dates_and_hours_the_tr3_allows_are_taken(
    dtp: str, admission: date | None, statement: tuple[date, date]
) -> None:
    text = INSTITUTIONAL.replace("CL1*", f"{dtp}~\nCL1*").replace("SE*25*", "SE*26*")

    [claim] = parse_837(text)

    assert claim.admission_date == admission
    assert (claim.statement_start, claim.statement_end) == statement
    assert claim.total_charge == Decimal("1156.19")


@pytest.mark.parametrize(
    ("dtp", "rule"),
    [
        ("DTP*096*TM*2400", "DTP03 time is HHMM (0000-2359)"),
        ("DTP*096*TM*09:00", "DTP02 is D8, RD8, DT or TM, with DTP03 in that format"),
        ("DTP*435*DT*202501141275", "DTP03 time is HHMM (0000-2359)"),
        ("DTP*434*RD8*20250116-20250115", "RD8 period ends on or after its start"),
        ("DTP*434*RD8*20250115", "RD8 is CCYYMMDD-CCYYMMDD"),
    ],
)
def test_837i_dates_the_tr3_does_not_allow_are_refused_by_rule(dtp: str, rule: str) -> None:
    text = INSTITUTIONAL.replace("CL1*", f"{dtp}~\nCL1*").replace("SE*25*", "SE*26*")

    assert breaches(text) == [(rule, 18, "DTP")]  # CLM 16, DTP*434 17, then this DTP


def test_two_interchanges_in_one_upload_each_with_their_own_delimiters() -> None:
    second = generate_837(1, envelope=Envelope837(interchange_control_number=2, pcn_prefix="B"))
    second = second.replace("*", "|").replace(":", ">")  # its own element and component separators

    claims = parse_837(TWO_CLAIMS + second)

    assert [c.patient_control_number for c in claims] == ["PCN00000001", "PCN00000002", "B00000001"]
    assert claims[2].lines[0].procedure is not None
    assert claims[2].lines[0].procedure.code == "99213"
    assert claims[2].segment_index == 39 + 16  # indexes run on through the whole upload


def test_two_interchanges_report_the_breaches_of_both() -> None:
    second = generate_837(2, envelope=Envelope837(interchange_control_number=2, pcn_prefix="B"))

    found = breaches(TWO_CLAIMS.replace("SE*35*", "SE*36*") + second.replace("IEA*1*", "IEA*2*"))

    assert found == [
        (Rule.SEGMENT_COUNT.value, 36, "SE"),
        (Rule.INTERCHANGE_COUNT.value, 39 + 38, "IEA"),
    ]


def test_the_same_claims_in_both_interchanges_are_refused_as_duplicates() -> None:
    found = breaches(TWO_CLAIMS + TWO_CLAIMS.replace("000000001", "000000002"))

    assert found == [
        (Rule.CLAIM_ID_UNIQUE.value, 39 + 16, "CLM"),
        (Rule.CLAIM_ID_UNIQUE.value, 39 + 28, "CLM"),
    ]


@pytest.mark.parametrize(
    ("text", "rule", "segment_index", "segment_id"),
    [
        (TWO_CLAIMS + "ST*837*0002~", "after IEA only an ISA", 39, "ST"),
        (TWO_CLAIMS + "ISA*00*short~", "ISA is 106 characters", 39, "ISA"),
        (TWO_CLAIMS.replace("IEA*1*000000001~\n", ""), "truncated", 38, ""),
    ],
)
def test_what_follows_an_interchange_is_another_interchange_or_nothing(
    text: str, rule: str, segment_index: int, segment_id: str
) -> None:
    with pytest.raises(X12Error) as raised:
        parse_837(text)

    assert (raised.value.rule, raised.value.segment_index, raised.value.segment_id) == (
        rule,
        segment_index,
        segment_id,
    )


def indented(text: str) -> str:
    """Each segment on its own CRLF line, indented by its depth, with padding and blank lines."""
    depth = {"ISA": 0, "IEA": 0, "GS": 1, "GE": 1, "ST": 2, "SE": 2, "HL": 3, "CLM": 4, "LX": 5}
    lines, current = [], 0
    for segment in text.replace("\n", "").split("~")[:-1]:
        current = depth.get(segment.split("*", 1)[0], current)
        lines.append("\t" * (current // 2) + "  " * current + segment + "~  ")
    return "\r\n\r\n" + "\r\n".join(lines) + "\r\n \r\n"


def test_an_indented_crlf_padded_file_reads_as_written() -> None:
    assert parse_837(indented(TWO_CLAIMS)) == parse_837(TWO_CLAIMS)


def test_every_shared_837_reads_the_same_indented(shared_837p: Path) -> None:
    text = shared_837p.read_text()

    assert parse_837(indented(text)) == parse_837(text)


def test_every_shared_837i_reads_the_same_indented(shared_837i: Path) -> None:
    text = shared_837i.read_text()

    assert parse_837(indented(text)) == parse_837(text)


def test_every_shared_837p_has_no_breach(shared_837p: Path) -> None:
    assert read_837(shared_837p.read_bytes()).breaches == ()


def test_every_shared_837i_has_no_breach(shared_837i: Path) -> None:
    assert read_837(shared_837i.read_bytes()).breaches == ()
