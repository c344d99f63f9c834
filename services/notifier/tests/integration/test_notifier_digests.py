"""Daily digests per recipient over real SMTP (aiosmtpd), PostgreSQL and Kafka: one mail for all
of a person's digest subscriptions, and once only when the sender is stopped mid-send."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from accord_common.events import CloudEvent
from digest_harness import HoldingMailSink, digest_hour_comes, digest_rows, reader
from notifier.config import NotifierSettings
from notifier_harness import (
    MailSink,
    Notifier,
    html_text,
    obligation_event,
    plain_text,
    publish,
    running,
    variance_event,
    wait_for,
)


async def subscribe_twice(notifier: Notifier, headers: dict[str, str], address: str) -> None:
    """Two digest subscriptions naming the same person (written differently): one matches obligations,
    the other new deadlines and payment variances."""
    await notifier.subscribe(
        headers,
        name="Contracting team",
        event_types=["obligation.*"],
        channel={"kind": "email", "recipients": [address], "digest": True},
    )
    await notifier.subscribe(
        headers,
        name="Revenue cycle",
        event_types=["obligation.created", "claim.variance_detected"],
        channel={"kind": "email", "recipients": [address.lower()], "digest": True},
    )


async def waiting_in_digests(notifier: Notifier, events: list[CloudEvent], count: int) -> bool:
    rows = [row for event in events for row in await notifier.delivery_rows(event.id)]
    return len(rows) == count and all(row.status == "pending" and row.via_digest for row in rows)


async def all_delivered(notifier: Notifier, events: list[CloudEvent]) -> bool:
    rows = [row for event in events for row in await notifier.delivery_rows(event.id)]
    return bool(rows) and all(row.status == "delivered" for row in rows)


async def test_two_digest_subscriptions_with_one_recipient_send_one_mail_with_both(
    notifier: Notifier, mail_sink: MailSink
) -> None:
    org, headers = await notifier.tenant()
    address = reader()
    await subscribe_twice(notifier, headers, address)
    deadline = obligation_event(org, title="Renewal notice to Acme Health Plan")
    variance = variance_event(org)
    await notifier.publish(deadline, variance)
    await wait_for("three deliveries waiting", lambda: waiting_in_digests(notifier, [deadline, variance], 3))
    assert len(await digest_rows(notifier, org)) == 1  # one digest for the person, whatever the case
    assert mail_sink.about(deadline.data["obligation_id"]) == []

    await digest_hour_comes(notifier, org)
    await wait_for("every delivery delivered", lambda: all_delivered(notifier, [deadline, variance]))
    (digest,) = await digest_rows(notifier, org)
    assert (digest.status, digest.attempts) == ("delivered", 1)  # sent: no other mail can follow
    mails = [m for m in mail_sink.messages if m["To"] == address.lower()]
    assert len(mails) == 1
    (mail,) = mails
    text, html = plain_text(mail), html_text(mail)
    for body in (text, html):
        assert "Contracting team" in body and "Revenue cycle" in body
        assert "Renewal notice to Acme Health Plan" in body
        assert variance.data["patient_control_number"] in body
        assert "also for Revenue cycle" in body
    assert text.count("Renewal notice to Acme Health Plan") == 1  # both matched it: listed once
    assert text.index("Revenue cycle") < text.index(variance.data["patient_control_number"])
    assert mail["Subject"].startswith("Accord daily digest")


@pytest.fixture
def holding_sink() -> Iterator[HoldingMailSink]:
    sink = HoldingMailSink().start()
    yield sink
    sink.stop()


async def test_a_mail_server_stuck_mid_send_at_a_stop_gets_the_digest_again_once(
    make_settings: Callable[..., NotifierSettings], holding_sink: HoldingMailSink
) -> None:
    settings = make_settings(smtp_port=holding_sink.port, dispatcher_drain_seconds=1)
    address = reader()
    holding_sink.hold_to = address.lower()
    async with running(settings) as first:
        org, headers = await first.tenant()
        await subscribe_twice(first, headers, address)
        events = [obligation_event(org), variance_event(org)]
        await publish(settings.kafka_bootstrap, *events)
        await wait_for("deliveries waiting", lambda: waiting_in_digests(first, events, 3))
        await digest_hour_comes(first, org)

        async def in_flight() -> bool:
            return len(holding_sink.held) == 1

        await wait_for("the digest, unanswered at the mail server", in_flight)
    # The server never answered: at the drain deadline the send was cut off and recorded as an
    # attempt without an answer, so the next instance retries it on the schedule.
    async with running(settings) as second:
        await wait_for("every delivery delivered", lambda: all_delivered(second, events))
        (digest,) = await digest_rows(second, org)
        assert (digest.status, digest.attempts) == ("delivered", 2)
        for event in events:
            for row in await second.delivery_rows(event.id):
                assert await second.attempt_count(row.id) == 2
    (accepted,) = [m for m in holding_sink.messages if m["To"] == address.lower()]
    (interrupted,) = holding_sink.held
    assert accepted["Message-ID"] == interrupted["Message-ID"]  # recognisably the same mail
    assert events[1].data["patient_control_number"] in plain_text(accepted)
