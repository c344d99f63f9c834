"""Once and only once: redelivered events and a notifier stopped mid-send."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable

from notifier.config import NotifierSettings
from notifier_harness import MailSink, Notifier, Receiver, obligation_event, publish, running, wait_for


async def test_redelivered_event_gives_one_delivery(
    receiver: Receiver, notifier: Notifier, mail_sink: MailSink
) -> None:
    org, headers = await notifier.tenant()
    await notifier.subscribe(
        headers,
        name="hook",
        event_types=["obligation.created"],
        channel={"kind": "webhook", "url": receiver.url},
    )
    await notifier.subscribe(
        headers,
        name="mail",
        event_types=["obligation.*"],
        channel={"kind": "email", "recipients": ["twice@clinic.example"]},
    )
    event = obligation_event(org)
    await notifier.publish(event, event)  # the same event id, twice
    await notifier.publish(event)

    async def both_delivered() -> bool:
        rows = await notifier.delivery_rows(event.id)
        return len(rows) == 2 and all(r.status == "delivered" for r in rows)

    await wait_for("both deliveries", both_delivered)
    # Proving an absence: no condition tells that a duplicate will never come, so allow it a
    # bounded moment (the dispatcher polls every 0.1 s) before counting.
    await asyncio.sleep(2)
    assert len(await notifier.delivery_rows(event.id)) == 2  # one per subscription
    assert len(receiver.about(event.id)) == 1
    assert len(mail_sink.about(event.data["obligation_id"])) == 1


async def test_a_stop_mid_send_waits_for_the_answer_and_the_next_instance_sends_nothing_again(
    make_settings: Callable[..., NotifierSettings], make_receiver: Callable[..., Receiver]
) -> None:
    receiver = make_receiver(hang_first=True)
    settings = make_settings(delivery_lease_seconds=2)
    async with running(settings) as first:
        org, headers = await first.tenant()
        await first.subscribe(
            headers,
            name="slow",
            event_types=["obligation.created"],
            channel={"kind": "webhook", "url": receiver.url},
        )
        event = obligation_event(org)
        await publish(settings.kafka_bootstrap, event)

        async def in_flight() -> bool:
            return len(receiver.received) == 1

        await wait_for("the first, hanging request", in_flight)
        threading.Timer(0.5, receiver.release.set).start()  # answered while the instance stops
    # The first instance waited for the answer and recorded it before it stopped.
    async with running(settings) as second:
        row = await second.wait_delivered(event.id)
        await asyncio.sleep(3)  # past the lease: an unrecorded send would go out again now
        assert len(await second.delivery_rows(event.id)) == 1
        assert await second.attempt_count(row.id) == 1
    assert len(receiver.received) == 1  # sent once, across the restart
