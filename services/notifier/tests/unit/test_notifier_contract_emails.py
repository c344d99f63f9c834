"""Contract lifecycle mails: payer, contract, version, dates and what changed, the same in text and
HTML, escaped in HTML, with a link to the contract and nothing else from the payload."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from notifier.domain import RecordLinks, TermChange, render_email, term_changes, version_terms

LINKS = RecordLinks("https://accord.clinic.example/")

VERSION_1: dict[str, Any] = {
    "contract_id": "ctr-17",
    "organization_id": "org-a",
    "payer_id": "payer-aetna",
    "payer_name": "Aetna",
    "payer_x12_id": "60054",
    "contract_name": "Aetna Commercial PPO 2027",
    "status": "active",
    "version": 1,
    "effective_from": "2027-01-01",
    "effective_to": None,
    "line_of_business": "commercial",
    "terms": {
        "effective_date": "2027-01-01",
        "termination_date": "2028-12-31",
        "auto_renew": True,
        "renewal_term_months": 12,
        "notice_days": 90,
        "timely_filing_days": 90,
        "appeal_window_days": 180,
        "prompt_pay_days": 30,
        "prompt_pay_interest_rate": "18",
    },
    "fee_schedule": {"schedule_id": "FS-2027", "content_hash": "a" * 64, "row_count": 1204},
    "payment_terms": [{"kind": "percent_of_medicare", "percent": "120"}],
}
VERSION_2 = {
    **VERSION_1,
    "version": 2,
    "effective_from": "2027-07-01",
    "terms": {**VERSION_1["terms"], "notice_days": 120, "timely_filing_days": 120},
    "fee_schedule": {"schedule_id": "FS-2027", "content_hash": "b" * 64, "row_count": 1204},
    "patient_name": "Jane Q. Doe",  # no contract event carries one; none would reach a mail
    "api_key": "acc_live_not-for-mail",
}
PREVIOUS = {"version": 1, "terms": version_terms(VERSION_1)}


def visible_text(markup: str) -> str:
    """What a reader of the HTML part sees, as one line of text."""
    without_head = re.sub(r"<head>.*</head>", "", markup, flags=re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", without_head)))


def words_of(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize(
    ("event_type", "data", "subject", "headline"),
    [
        (
            "contract.created",
            {**VERSION_1, "status": "draft"},
            "Contract added: Aetna Commercial PPO 2027 with Aetna (version 1, effective Friday 1 January 2027)",
            "The Aetna Commercial PPO 2027 contract with Aetna has been added to Accord as version 1 (draft), "
            "from Friday 1 January 2027, with no end date.",
        ),
        (
            "contract.amended",
            {**VERSION_2, "previous_version": PREVIOUS},
            "Contract amended: Aetna Commercial PPO 2027 with Aetna (version 2, effective Thursday 1 July 2027)",
            "The Aetna Commercial PPO 2027 contract with Aetna has been amended: version 2 applies from "
            "Thursday 1 July 2027, with no end date.",
        ),
        (
            "contract.activated",
            VERSION_1,
            "Contract activated: Aetna Commercial PPO 2027 with Aetna (version 1, effective Friday 1 January 2027)",
            "The Aetna Commercial PPO 2027 contract with Aetna is now active: version 1 applies from "
            "Friday 1 January 2027, with no end date.",
        ),
        (
            "contract.renewed",
            {**VERSION_1, "version": 3, "effective_from": "2029-01-01", "effective_to": "2029-12-31"},
            "Contract renewed: Aetna Commercial PPO 2027 with Aetna (version 3, effective Monday 1 January 2029)",
            "The Aetna Commercial PPO 2027 contract with Aetna has been renewed: version 3 runs from "
            "Monday 1 January 2029 to Monday 31 December 2029.",
        ),
        (
            "contract.terminated",
            {
                **VERSION_1,
                "status": "terminated",
                "effective_to": "2027-09-30",
                "termination_reason": "Payer exit",
            },
            "Contract terminated: Aetna Commercial PPO 2027 with Aetna (version 1, last day Thursday 30 "
            "September 2027)",
            "The Aetna Commercial PPO 2027 contract with Aetna has been terminated; its last day is Thursday "
            "30 September 2027.",
        ),
        (
            "contract.terminated",
            {**VERSION_1, "status": "expired"},
            "Contract expired: Aetna Commercial PPO 2027 with Aetna (version 1, last day Sunday 31 December 2028)",
            "The Aetna Commercial PPO 2027 contract with Aetna has expired without renewal; its last day is "
            "Sunday 31 December 2028.",
        ),
    ],
)
def test_each_lifecycle_event_names_payer_contract_version_and_dates(
    event_type: str, data: dict[str, Any], subject: str, headline: str
) -> None:
    email = render_email(event_type, data, LINKS)
    assert email.subject == subject
    assert headline in words_of(email.text)
    assert headline in visible_text(email.html)
    assert "Open the contract: https://accord.clinic.example/contracts/ctr-17" in email.text
    assert 'href="https://accord.clinic.example/contracts/ctr-17"' in email.html


def test_an_amendment_says_what_changed_from_the_previous_version() -> None:
    email = render_email("contract.amended", {**VERSION_2, "previous_version": PREVIOUS}, LINKS)
    text = words_of(email.text)
    assert "What changed from version 1:" in text
    assert "Effective from: Thursday 1 July 2027 (was Friday 1 January 2027)" in text
    assert "Notice period (non-renewal): 120 days (was 90 days)" in text
    assert "Timely filing limit: 120 days (was 90 days)" in text
    assert "Fee schedule: FS-2027 (1,204 rates), revised" in text  # same schedule, rates inside changed
    assert "Appeal window: 180 days (was" not in text  # unchanged terms are not listed as changes
    assert "tell billing what changes for claims with service dates from Thursday 1 July 2027" in text


@pytest.mark.parametrize(
    ("previous", "says"),
    [
        (None, "Accord holds no earlier version of this contract to compare with"),
        (
            {"version": 1, "terms": version_terms(VERSION_2)},
            "None of the terms Accord tracks changed from version 1.",
        ),
    ],
)
def test_without_a_change_to_show_the_mail_says_why(previous: object, says: str) -> None:
    email = render_email("contract.amended", {**VERSION_2, "previous_version": previous}, LINKS)
    assert says in words_of(email.text)
    assert says in visible_text(email.html)
    assert "Notice period (non-renewal): 120 days" in words_of(email.text)  # the terms as they stand


def test_a_payer_initiated_retroactive_amendment_says_so() -> None:
    data = {**VERSION_2, "retroactive": True, "payer_initiated": True, "objection_window_days": 30}
    text = words_of(render_email("contract.amended", data, LINKS).text)
    assert (
        "The change is retroactive: claims already priced under the earlier terms will be priced again."
        in text
    )
    assert "any objection has to reach them in writing within 30 days" in text


def test_a_termination_gives_the_reason_and_what_to_plan_for() -> None:
    data = {
        **VERSION_1,
        "status": "terminated",
        "effective_to": "2027-09-30",
        "termination_reason": "Payer exit",
    }
    text = words_of(render_email("contract.terminated", data, LINKS).text)
    assert "Reason given: Payer exit." in text
    assert "plan for services after Thursday 30 September 2027" in text


@pytest.mark.parametrize("event_type", ["contract.created", "contract.amended", "contract.terminated"])
def test_text_and_html_say_the_same_thing(event_type: str) -> None:
    data = {
        **VERSION_2,
        "previous_version": PREVIOUS,
        "retroactive": True,
        "termination_reason": "Payer exit",
    }
    email = render_email(event_type, data, LINKS)
    seen = visible_text(email.html)
    lines = [words_of(line).removeprefix("- ") for line in email.text.splitlines()]
    said = [
        line for line in lines if line and not line.startswith(("Open the contract:", "--", "Manage subscr"))
    ]
    assert len(said) > 20
    for line in said:
        assert line in seen, line


def test_html_escapes_every_name_it_interpolates_and_links_quote_the_id() -> None:
    hostile = {
        **VERSION_2,
        "contract_id": '"><script>x</script>',
        "contract_name": "<img src=x onerror=alert(1)>",
        "payer_name": "A&B <Health>",
        "status": "terminated",
        "termination_reason": "<b>late</b>",
        "previous_version": PREVIOUS,
    }
    email = render_email("contract.terminated", hostile, LINKS)
    assert "<img" not in email.html and "<script>" not in email.html and "<b>late" not in email.html
    assert "&lt;img src=x onerror=alert(1)&gt;" in email.html
    assert "A&amp;B &lt;Health&gt;" in email.html
    assert "&lt;b&gt;late&lt;/b&gt;" in email.html
    assert "https://accord.clinic.example/contracts/%22%3E%3Cscript%3Ex%3C%2Fscript%3E" in email.html
    assert "<img src=x onerror=alert(1)>" in email.text  # plain text is not HTML
    assert "\n" not in email.subject


def test_no_patient_data_secret_or_raw_payload_reaches_the_mail() -> None:
    email = render_email("contract.amended", {**VERSION_2, "previous_version": PREVIOUS}, LINKS)
    everything = email.subject + email.text + email.html
    for leaked in ("Jane", "Doe", "acc_live", "a" * 16, "b" * 16, "percent_of_medicare", "60054"):
        assert leaked not in everything


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"terms": {**VERSION_1["terms"], "auto_renew": False}}, [TermChange("Auto-renewal", "no", "yes")]),
        (
            {"terms": {**VERSION_1["terms"], "prompt_pay_interest_rate": "12.50"}},
            [TermChange("Prompt-pay interest", "12.5% a year", "18% a year")],
        ),
        (
            {"effective_to": "2027-12-31"},
            [TermChange("Effective to", "Friday 31 December 2027", "no end date")],
        ),
        (
            {"payment_terms": [{"kind": "percent_of_medicare", "percent": "125"}]},
            [TermChange("Payment terms", "1 rule, revised", "")],
        ),
        (
            {"fee_schedule": {"schedule_id": "FS-2028", "content_hash": "c" * 64, "row_count": 998}},
            [TermChange("Fee schedule", "FS-2028 (998 rates)", "FS-2027 (1,204 rates)")],
        ),
        ({"value_based_terms": {"measures": []}}, [TermChange("Value-based terms", "included", "none")]),
        ({"status": "terminated", "contract_name": "Renamed"}, []),  # not terms: no change listed
    ],
)
def test_term_changes_in_an_analysts_words(change: dict[str, Any], expected: list[TermChange]) -> None:
    assert list(term_changes(version_terms(VERSION_1), version_terms({**VERSION_1, **change}))) == expected
