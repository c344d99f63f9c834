"""Appeal packets: amount due and deadline by hand, the appeal's moves, and the letter rendered to a
PDF whose text is read back (pypdf) to find the clause, the fee-schedule step and the amount."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from pypdf import PdfReader
from reimbursement_engine.adapters.appeal_letters import (
    TemplateRefused,
    context,
    default_template,
    render_html,
    render_pdf,
    sample_packet,
    validate_template,
)
from reimbursement_engine.domain.appeals import (
    AppealRefused,
    appeal_deadline,
    build_packet,
    check_move,
    one_payer_and_contract,
)

D = Decimal


@pytest.mark.parametrize(
    ("window", "remitted", "deadline"),
    [
        (180, [date(2026, 4, 1)], date(2026, 9, 28)),
        (180, [date(2026, 5, 1), date(2026, 4, 1)], date(2026, 9, 28)),  # the earliest remittance
        (90, [date(2026, 12, 15)], date(2027, 3, 15)),
        (None, [date(2026, 4, 1)], None),  # the contract names no window
    ],
)
def test_the_deadline_is_the_earliest_remittance_plus_the_window(
    window: int | None, remitted: list[date], deadline: date | None
) -> None:
    assert appeal_deadline(window, remitted) == deadline


def test_the_amount_due_is_the_sum_of_the_variances() -> None:
    one = sample_packet().claims[0]
    two = replace(one, variance_id="v-2", patient_control_number="SAMPLE-2", variance=D("150.00"))
    packet = build_packet("60054", "Acme", sample_packet().contract, [two, one])
    assert packet.amount_due == D("170.00")  # 20.00 + 150.00
    assert [c.patient_control_number for c in packet.claims] == ["SAMPLE-1", "SAMPLE-2"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"classification": "overpaid"}, "only underpaid or denied"),
        ({"classification": "needs_review"}, "only underpaid or denied"),
        ({"status": "recovered"}, "it is closed"),
        ({"status": "written_off"}, "it is closed"),
    ],
)
def test_only_open_underpaid_or_denied_variances_are_appealed(change: dict[str, str], message: str) -> None:
    claim = replace(sample_packet().claims[0], **change)  # type: ignore[arg-type]
    with pytest.raises(AppealRefused, match=message):
        build_packet("60054", "Acme", sample_packet().contract, [claim])


def test_one_appeal_is_one_payer_and_one_contract() -> None:
    assert one_payer_and_contract([("60054", "c-1"), ("60054", "c-1")]) == ("60054", "c-1")
    with pytest.raises(AppealRefused, match="share a payer"):
        one_payer_and_contract([("60054", "c-1"), ("60054", "c-2")])
    with pytest.raises(AppealRefused, match="no contract"):
        one_payer_and_contract([("60054", None)])


@pytest.mark.parametrize(
    ("now", "then", "allowed"),
    [
        ("draft", "sent", True),
        ("draft", "paid", False),
        ("sent", "acknowledged", True),
        ("sent", "denied_again", True),
        ("acknowledged", "paid", True),
        ("denied_again", "escalated", True),
        ("escalated", "paid", True),
        ("paid", "escalated", False),
        ("acknowledged", "sent", False),
    ],
)
def test_appeal_moves(now: str, then: str, allowed: bool) -> None:
    if allowed:
        assert check_move(now, then).value == then
    else:
        with pytest.raises(AppealRefused):
            check_move(now, then)


def _pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_pdf_cites_contract_clause_calculation_codes_amount_and_deadline() -> None:
    values = context(sample_packet(), "Riverside Clinic", date(2026, 4, 15), "APL-20260415-0001")
    text = _pdf_text(render_pdf(render_html(default_template(), values)))
    for expected in (
        "Acme PPO professional, version 2",
        "January 1, 2026 to December 31, 2027",
        "1 99213 Professional $100.00 $80.00 CO-45 $70.00 N130",  # line, code, clause, expected, paid, codes
        "fee schedule row 99213 $100.00 x 1 = $100.00",
        "The amount due is $20.00",
        "timely through September 28, 2026",
        "APL-20260415-0001",
    ):
        assert expected in text, expected


def test_an_organisation_template_renders_in_the_sandbox() -> None:
    mine = "<p>{{ organization }} asks {{ payer_name }} for {{ amount_due | money }} under {{ contract.name }}</p>"
    validate_template(mine)
    values = context(sample_packet(), "Riverside Clinic", date(2026, 4, 15), "APL-1")
    text = _pdf_text(render_pdf(render_html(mine, values)))
    assert "Riverside Clinic asks Acme Health Plan for $20.00 under Acme PPO professional" in text


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("<p>{{ amount_due.__class__.__mro__ }}</p>", "sandbox forbids"),
        ("<p>{% for x in claims %}</p>", "fails"),
        ("<p>{{ no_such_fact }}</p>", "fails"),
        ("<p>{{ amount_due | no_such_filter }}</p>", "fails"),
    ],
)
def test_a_template_that_escapes_the_sandbox_or_breaks_is_refused(template: str, message: str) -> None:
    with pytest.raises(TemplateRefused, match=message):
        validate_template(template)
