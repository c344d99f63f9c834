"""Separators come from the ISA itself; a broken ISA is an X12Error naming the rule."""

from __future__ import annotations

import pytest
from reimbursement_engine.bench.x12_835 import generate_835
from reimbursement_engine.domain.x12 import X12Error, parse_835
from reimbursement_engine.domain.x12.tokenizer import read_separators, tokenize

ISA = (
    "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       "
    "*250201*1200*^*00501*000000001*0*P*:~"
)
GS = "GS*HP*SENDER*RECEIVER*20250201*1200*1*X*005010X221A1~"


@pytest.mark.parametrize(
    ("element", "component", "terminator", "newlines"),
    [
        ("*", ":", "~", True),
        ("|", ">", "~", False),
        ("^", "\\", "\n", False),
        ("!", "}", "'", True),
    ],
)
def test_separators_are_read_from_the_isa(
    element: str, component: str, terminator: str, newlines: bool
) -> None:
    text = generate_835(3, element=element, component=component, terminator=terminator, newlines=newlines)

    separators, segments = tokenize(text)
    remittance = parse_835(text)

    assert (separators.element, separators.component, separators.segment) == (element, component, terminator)
    assert [s.id for s in segments[:3]] == ["ISA", "GS", "ST"]
    assert remittance.claims[0].lines[0].procedure is not None
    assert remittance.claims[0].lines[0].procedure.code_system == "HC"


def test_crlf_after_terminators_and_bytes_input_are_accepted() -> None:
    text = generate_835(2, newlines=False).replace("~", "~\r\n")

    remittance = parse_835(text.encode("ascii"))

    assert len(remittance.claims) == 2


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("", "ISA first"),
        ("GS*HP*X~", "ISA first"),
        (ISA[:60], "ISA is 106 characters"),
        (ISA.replace("*P*:", "*P**:") + GS, "ISA delimiters"),
        (ISA.replace("SENDER         ", "SENDER") + GS, "ISA06 is 15 characters wide"),
        (ISA.replace("000000001", "1") + GS, "ISA13 is 9 characters wide"),
        (ISA.replace("00501", "00401"), "ISA12 version"),
        (ISA.replace("*P*:~", "*P*A~"), "ISA delimiters"),
        (ISA.replace("*P*:~", "*P*:*"), "ISA delimiters"),
    ],
)
def test_a_broken_isa_is_an_x12_error(text: str, rule: str) -> None:
    with pytest.raises(X12Error) as raised:
        read_separators(text)

    assert raised.value.rule == rule
    assert raised.value.segment_id == "ISA"


def test_a_bad_segment_identifier_names_its_position() -> None:
    text = generate_835(1).replace("TRN*", "t#N*", 1)

    with pytest.raises(X12Error) as raised:
        tokenize(text)

    assert raised.value.rule == "segment id"
    assert raised.value.segment_index == 4
