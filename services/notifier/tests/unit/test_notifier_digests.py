"""The daily digest's rules: one mail per address, merged by subscription name, each event once;
how a digest mail moves on; and what its digests say about a delivery."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from notifier.domain import (
    ChannelKind,
    Delivery,
    DeliveryStatus,
    DigestEntry,
    DigestMail,
    InvalidDeliveryTransition,
    RecordLinks,
    RetryPolicy,
    delivery_verdict,
    digest_recipient,
    merge_digest,
    render_digest,
)

AT = datetime(2026, 3, 3, 7, 0, tzinfo=UTC)
LINKS = RecordLinks("https://accord.clinic.example")
POLICY = RetryPolicy(delays=(timedelta(seconds=5), timedelta(minutes=5)), jitter_floor=1.0)
PENDING, RETRYING, DELIVERED, DEAD, DISABLED = (
    DeliveryStatus.PENDING,
    DeliveryStatus.RETRYING,
    DeliveryStatus.DELIVERED,
    DeliveryStatus.DEAD,
    DeliveryStatus.DISABLED,
)


def obligation(title: str) -> dict[str, object]:
    return {
        "title": title,
        "kind": "renewal_notice",
        "due_date": "2027-10-02",
        "payer_name": "Acme Health Plan",
    }


def entry(subscription: str, event_id: str, title: str = "Renewal notice") -> DigestEntry:
    return DigestEntry(subscription, event_id, "obligation.due_soon", obligation(title))


@pytest.mark.parametrize(
    ("address", "kept_as"),
    [
        ("pat@clinic.example", "pat@clinic.example"),
        ("Pat@Clinic.Example", "pat@clinic.example"),
        ("  CONTRACTING@clinic.example ", "contracting@clinic.example"),
    ],
)
def test_a_digest_is_kept_under_the_lower_cased_address(address: str, kept_as: str) -> None:
    assert digest_recipient(address) == kept_as


@pytest.mark.parametrize(
    ("entries", "sections"),
    [
        pytest.param(
            [entry("Contracting team", "e1"), entry("Contracting team", "e2")],
            [("Contracting team", [("e1", ()), ("e2", ())])],
            id="one subscription: its items in the order they came",
        ),
        pytest.param(
            [entry("Revenue cycle", "e1"), entry("Contracting team", "e2")],
            [("Contracting team", [("e2", ())]), ("Revenue cycle", [("e1", ())])],
            id="two subscriptions: a section each, in name order",
        ),
        pytest.param(
            [entry("Revenue cycle", "e1"), entry("Contracting team", "e1"), entry("Revenue cycle", "e2")],
            [("Contracting team", [("e1", ("Revenue cycle",))]), ("Revenue cycle", [("e2", ())])],
            id="an event both matched: once, under the first name, naming the other",
        ),
        pytest.param(
            [entry("billing", "e1"), entry("Appeals", "e2"), entry("Billing", "e3")],
            [("Appeals", [("e2", ())]), ("Billing", [("e3", ())]), ("billing", [("e1", ())])],
            id="name order ignores case, then capitals first",
        ),
        pytest.param(
            [entry("Contracting team", "e1"), entry("Contracting team", "e1")],
            [("Contracting team", [("e1", ())])],
            id="two subscriptions of the same name share a section",
        ),
    ],
)
def test_merging_groups_by_subscription_name_and_lists_each_event_once(
    entries: list[DigestEntry], sections: list[tuple[str, list[tuple[str, tuple[str, ...]]]]]
) -> None:
    merged = merge_digest(entries)
    assert [
        (section.subscription_name, [(item.event_id, item.also_for) for item in section.items])
        for section in merged
    ] == sections


def test_a_merged_digest_reads_by_subscription_with_the_counts_of_distinct_events() -> None:
    entries = [
        entry("Revenue cycle", "e1", "Prompt-pay deadline"),
        entry("Contracting team", "e1", "Prompt-pay deadline"),
        entry("Contracting team", "e2", "Renewal notice"),
    ]
    email = render_digest(merge_digest(entries), LINKS, date(2026, 3, 3))
    assert email.subject == "Accord daily digest for Tuesday 3 March 2026: coming up (2)"
    assert email.text.count("Prompt-pay deadline (Acme Health Plan") == 1
    assert "(also for Revenue cycle)" in email.text and "(also for Revenue cycle)" in email.html
    for body in (email.text, email.html):
        assert body.index("Contracting team") < body.index("Renewal notice (Acme")
        assert "Revenue cycle</h2>" not in body  # its only event is listed under Contracting team


def test_a_digest_mail_is_delivered_retried_or_dead_by_the_smtp_reply() -> None:
    mail = DigestMail(PENDING, 0, AT)
    retried = mail.record_attempt(AT, 451, random.Random(1), policy=POLICY)
    assert (retried.status, retried.attempts, retried.next_attempt_at) == (
        RETRYING,
        1,
        AT + timedelta(seconds=5),
    )
    assert retried.record_attempt(AT, 250, random.Random(1), policy=POLICY).status is DELIVERED
    assert mail.record_attempt(AT, 550, random.Random(1), policy=POLICY).status is DEAD
    exhausted = retried.record_attempt(AT, None, random.Random(1), policy=POLICY)
    assert exhausted.record_attempt(AT, 421, random.Random(1), policy=POLICY).status is DEAD
    assert mail.cancel().status is DISABLED
    with pytest.raises(InvalidDeliveryTransition):
        mail.cancel().record_attempt(AT, 250, random.Random(1), policy=POLICY)


@pytest.mark.parametrize(
    ("digests", "verdict"),
    [
        ([DELIVERED], DELIVERED),
        ([DELIVERED, DELIVERED], DELIVERED),
        ([DELIVERED, PENDING], None),
        ([RETRYING], None),
        ([DELIVERED, DEAD], DEAD),
        ([PENDING, DEAD], DEAD),
        ([DELIVERED, DISABLED], DELIVERED),
        ([DISABLED], DISABLED),
        ([], DISABLED),
    ],
)
def test_a_delivery_ends_when_its_digests_say_so(
    digests: list[DeliveryStatus], verdict: DeliveryStatus | None
) -> None:
    assert delivery_verdict(digests) is verdict


def waiting_delivery() -> Delivery:
    return Delivery.new(uuid.uuid4(), uuid.uuid4(), ChannelKind.EMAIL, AT)


def test_a_delivery_records_each_digest_attempt_and_ends_by_the_verdict() -> None:
    later = AT + timedelta(minutes=5)
    failed = waiting_delivery().record_digest_attempt(AT, 451, 9, None, later, "try again")
    assert (failed.status, failed.next_attempt_at, failed.attempts[-1].error) == (
        RETRYING,
        later,
        "try again",
    )
    half = failed.record_digest_attempt(later, 250, 9, None, None)
    assert half.status is RETRYING and len(half.attempts) == 2  # another recipient's digest still due
    done = half.record_digest_attempt(later, 250, 9, DELIVERED, None)
    assert (done.status, done.next_attempt_at, len(done.attempts)) == (DELIVERED, None, 3)
    assert waiting_delivery().record_digest_attempt(AT, 550, 9, DEAD, None).status is DEAD
    assert waiting_delivery().conclude(DISABLED).attempts == ()
    with pytest.raises(InvalidDeliveryTransition):
        waiting_delivery().conclude(PENDING)
