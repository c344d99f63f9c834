"""Each event's email says what happened, what to do, by when, and links to the record."""

import re
from datetime import date

import pytest
from notifier.domain import (
    DigestEntry,
    NotifierDomainError,
    RecordLinks,
    merge_digest,
    render_digest,
    render_email,
)

LINKS = RecordLinks("https://accord.clinic.example/")

OBLIGATION = {
    "organization_id": "11111111-1111-4111-8111-111111111111",
    "obligation_id": "ob-2025-0077",
    "kind": "renewal_notice",
    "status": "open",
    "title": "90-day renewal notice",
    "description": "Patient Jane Q. Doe complained",  # free text never reaches a mail
    "due_date": "2025-04-14",
    "lead_days": 30,
    "contract_id": "ctr-17",
    "payer_id": "payer-aetna",
    "payer_name": "Aetna",  # added by the handler from its contract projection
    "contract_name": "Aetna Commercial PPO 2024",
}
VARIANCE = {
    "claim_id": "CLM-20250314-0042",
    "organization_id": "11111111-1111-4111-8111-111111111111",
    "patient_control_number": "PCN884120",
    "patient_name": "Jane Q. Doe",
    "patient_dob": "1961-07-04",
    "payer_id": "payer-aetna",
    "payer_name": "Aetna",
    "contract_id": "ctr-17",
    "contract_name": "Aetna Commercial PPO 2024",
    "classification": "underpaid",
    "expected_allowed": "1412.50",
    "paid_amount": "860.10",
    "patient_responsibility": "40.00",
    "variance": "-512.40",
    "remittance_date": "2025-03-12",
    "carcs": ["CO-45", "PR-2"],
}
DENIED = {**VARIANCE, "classification": "denied", "paid_amount": "0", "variance": "-1412.50"}
FAILED = {
    "organization_id": "11111111-1111-4111-8111-111111111111",
    "delivery_id": "dlv-1",
    "subscription_id": "sub-9",
    "channel": "webhook",
    "event_type": "claim.variance_detected",
    "event_id": "7f3c2a10-5b6d-4e8f-9a01-23456789abcd",
    "attempts": 8,
    "at": "2025-03-15T12:00:00Z",
    "error": "Service Unavailable",
    "destination": "https://hooks.clinic.example/accord",
    "last_status_code": 503,
}
DISABLED = {
    "subscription_id": "sub-9",
    "destination": "https://hooks.clinic.example/accord",
    "reason": "The endpoint answered 410 Gone, which means it no longer accepts webhooks.",
}
AMENDED = {"contract_id": "ctr-17", "patient_name": "Jane Q. Doe", "note": "secret stuff"}

CASES = [
    (
        "obligation.created",
        OBLIGATION,
        [
            "90-day renewal notice",
            "Monday 14 April 2025",
            "Aetna",
            "written notice",
            "https://accord.clinic.example/obligations/ob-2025-0077",
        ],
    ),
    (
        "obligation.due_soon",
        OBLIGATION,
        [
            "90-day renewal notice",
            "Monday 14 April 2025",
            "30 days from now",
            "written notice",
            "mark it complete",
            "https://accord.clinic.example/obligations/ob-2025-0077",
        ],
    ),
    (
        "obligation.overdue",
        OBLIGATION,
        [
            "90-day renewal notice",
            "was due on Monday 14 April 2025",
            "needs doing today",
            "https://accord.clinic.example/obligations/ob-2025-0077",
        ],
    ),
    (
        "claim.variance_detected",
        VARIANCE,
        [
            "CLM-20250314-0042",
            "PCN884120",
            "$1,412.50",
            "$860.10",
            "$40.00",
            "underpaid by $512.40",
            "adjustment reason codes",
            "CO-45, PR-2",
            "Wednesday 12 March 2025",
            "appeal window",
            "https://accord.clinic.example/claims/CLM-20250314-0042",
        ],
    ),
    (
        "claim.variance_detected",
        DENIED,
        [
            "denied by Aetna",
            "CLM-20250314-0042",
            "PCN884120",
            "$1,412.50",
            "denial reason codes",
        ],
    ),
    (
        "notification.failed",
        FAILED,
        [
            "claim.variance_detected",
            "https://hooks.clinic.example/accord",
            "8 times",
            "503 Service Unavailable",
            "replay",
            "https://accord.clinic.example/settings/subscriptions/sub-9",
        ],
    ),
    (
        "notification.endpoint_disabled",
        DISABLED,
        [
            "switched off",
            "https://hooks.clinic.example/accord",
            "410 Gone",
            "re-enable",
            "https://accord.clinic.example/settings/subscriptions/sub-9",
        ],
    ),
    (
        "contract.amended",
        AMENDED,
        ["has been amended", "contract ctr-17", "https://accord.clinic.example/contracts/ctr-17"],
    ),
    ("contract.updated", AMENDED, ["Contract updated", "ctr-17", "https://accord.clinic.example"]),
]


def visible_text(html: str) -> str:
    """The words a reader sees, plus each link's target."""
    with_targets = re.sub(r'<a href="([^"]+)"[^>]*>', r" \1 ", html)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", with_targets)).replace("&#39;", "'")


@pytest.mark.parametrize(("event_type", "data", "facts"), CASES)
def test_key_facts_appear_in_text_and_html(
    event_type: str, data: dict[str, object], facts: list[str]
) -> None:
    email = render_email(event_type, data, LINKS)
    text = " ".join(email.text.split())
    for fact in facts:
        assert fact in text, fact
        assert fact in visible_text(email.html), fact
    assert email.html.lstrip().startswith("<!DOCTYPE html>")
    assert "Manage subscriptions" in email.text


@pytest.mark.parametrize(("event_type", "data", "facts"), CASES)
def test_no_phi_and_no_raw_payload_reach_the_mail(
    event_type: str, data: dict[str, object], facts: list[str]
) -> None:
    email = render_email(event_type, data, LINKS)
    for leaked in ("Jane", "Doe", "1961-07-04", "secret stuff", "complained"):
        assert leaked not in email.subject + email.text + email.html


@pytest.mark.parametrize(
    ("event_type", "subject"),
    [
        ("obligation.created", "New deadline: 90-day renewal notice (Aetna, due Monday 14 April 2025)"),
        ("obligation.due_soon", "Coming up: 90-day renewal notice (Aetna, due Monday 14 April 2025)"),
        ("obligation.overdue", "Overdue: 90-day renewal notice (Aetna, due Monday 14 April 2025)"),
        ("claim.variance_detected", "Claim PCN884120 underpaid by $512.40 (Aetna)"),
    ],
)
def test_subjects_say_what_happened(event_type: str, subject: str) -> None:
    data = VARIANCE if event_type.startswith("claim") else OBLIGATION
    assert render_email(event_type, data, LINKS).subject == subject


def test_html_escapes_whatever_the_payload_carries() -> None:
    hostile = {**OBLIGATION, "title": '<script>alert("x")</script> & <b>', "payer_name": "A&B <Health>"}
    email = render_email("obligation.due_soon", hostile, LINKS)
    assert "<script>" not in email.html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;b&gt;" in email.html
    assert "A&amp;B &lt;Health&gt;" in email.html
    assert '<script>alert("x")</script>' in email.text  # plain text is not HTML


def test_a_subject_is_one_line_whatever_the_payload_says() -> None:
    hostile = {**OBLIGATION, "title": "Renewal\r\nBcc: attacker@evil.example"}
    subject = render_email("obligation.overdue", hostile, LINKS).subject
    assert "\n" not in subject
    assert "\r" not in subject


def test_links_quote_record_ids() -> None:
    email = render_email("obligation.overdue", {**OBLIGATION, "obligation_id": "../admin?x=1"}, LINKS)
    assert "https://accord.clinic.example/obligations/..%2Fadmin%3Fx%3D1" in email.text


@pytest.mark.parametrize(
    ("data", "payer", "contract"),
    [
        ({"payer_name": "Aetna", "contract_name": "PPO 2024"}, "Aetna", "the PPO 2024 contract"),
        ({"payer_id": "p-7", "contract_id": "ctr-17"}, "payer p-7", "contract ctr-17"),
        ({}, "the payer", "the contract"),
    ],
)
def test_names_fall_back_to_ids(data: dict[str, object], payer: str, contract: str) -> None:
    email = render_email("obligation.overdue", {**data, "title": "Notice"}, LINKS)
    assert f"on {contract} with {payer} was due" in email.text


def test_missing_facts_read_as_not_stated() -> None:
    email = render_email("claim.variance_detected", {"claim_id": "CLM-1"}, LINKS)
    assert "not stated" in email.text
    assert "appeal window" in email.text


@pytest.mark.parametrize("base_url", ["", "accord.clinic.example", "ftp://accord.clinic.example"])
def test_the_base_url_must_be_absolute_http(base_url: str) -> None:
    with pytest.raises(NotifierDomainError, match="base_url"):
        RecordLinks(base_url)


def test_digest_groups_events_most_pressing_first() -> None:
    events = [
        ("obligation.created", OBLIGATION),
        ("claim.variance_detected", VARIANCE),
        ("contract.amended", AMENDED),
        ("obligation.overdue", OBLIGATION),
        ("claim.variance_detected", DENIED),
        ("obligation.due_soon", OBLIGATION),
    ]
    entries = [DigestEntry("Contracting team", f"e{n}", t, data) for n, (t, data) in enumerate(events)]
    email = render_digest(merge_digest(entries), LINKS, date(2025, 3, 14))
    assert email.subject.startswith("Accord daily digest for Friday 14 March 2025")
    headings = [
        "Contracting team",
        "Overdue (1)",
        "Coming up (1)",
        "Payment variances (2)",
        "New deadlines (1)",
        "Contracts amended (1)",
    ]
    for body in (email.text, visible_text(email.html)):
        positions = [body.index(heading) for heading in headings]
        assert positions == sorted(positions)
        assert "Claim PCN884120 underpaid by $512.40 (Aetna)" in body
        assert "Claim PCN884120 denied" in body
    assert email.text.count("https://accord.clinic.example/obligations/ob-2025-0077") == 3
    assert 'href="https://accord.clinic.example/claims/CLM-20250314-0042"' in email.html
    assert "Jane" not in email.text + email.html


def test_digest_escapes_html_and_needs_events() -> None:
    hostile = {**OBLIGATION, "title": "<img src=x onerror=alert(1)>"}
    entries = [DigestEntry("<b>Team</b>", "e1", "obligation.overdue", hostile)]
    email = render_digest(merge_digest(entries), LINKS, date(2025, 3, 14))
    assert "<img" not in email.html and "<b>" not in email.html
    assert "&lt;img src=x onerror=alert(1)&gt;" in email.html
    assert "&lt;b&gt;Team&lt;/b&gt;" in email.html
    with pytest.raises(ValueError):
        render_digest((), LINKS, date(2025, 3, 14))


@pytest.mark.parametrize(
    ("extra", "answer"),
    [
        ({"last_status_code": 503, "error": "Service Unavailable"}, "503 Service Unavailable"),
        ({"error": "connection refused"}, "connection refused"),
        ({}, "no answer"),
    ],
)
def test_a_failed_delivery_names_the_last_answer(extra: dict[str, object], answer: str) -> None:
    data = {"event_type": "obligation.overdue", "channel": "webhook", "attempts": 8, **extra}
    email = render_email("notification.failed", data, LINKS)
    assert f"The last answer was: {answer}." in email.text
    assert "your webhook endpoint" in email.text


def test_a_claim_deadline_mail_names_the_patient_control_number_and_the_payer() -> None:
    appeal = {
        **OBLIGATION,
        "kind": "appeal",
        "title": "Appeal deadline: claim PCN884120 (Aetna)",
        "claim_id": "0b9f7c1e-5a51-4f0c-9d9e-1c1f3c0b1a22",
        "patient_control_number": "PCN884120",
        "payer_id": "60054",  # the X12 payer id claims carry
        "payer_name": "Aetna",  # the tracker names the payer of the claim's contract version
    }
    email = render_email("obligation.created", appeal, LINKS)
    for body in (email.text, visible_text(email.html)):
        assert "PCN884120" in body and "Aetna" in body
        assert "0b9f7c1e-5a51-4f0c-9d9e-1c1f3c0b1a22" not in body and "60054" not in body
