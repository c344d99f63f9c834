"""Once and only once: redelivered events and a dispatcher stopped mid-send."""

from __future__ import annotations

import asyncio

from accord_common.testing.kafka import KafkaBroker
from notifier_harness import (
    MailSink,
    Receiver,
    new_org,
    obligation_event,
    publish,
    running,
    settings_for,
    wait_for,
)


async def test_redelivered_event_gives_one_delivery(
    database_url: str, kafka_broker: KafkaBroker, mail_sink: MailSink, receiver: Receiver
) -> None:
    async with running(settings_for(database_url, kafka_broker.bootstrap, mail_sink)) as notifier:
        org = new_org()
        headers = await notifier.api_key(org)
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
        await publish(kafka_broker.bootstrap, event, event)  # the same event id, twice
        await publish(kafka_broker.bootstrap, event)

        async def both_delivered() -> bool:
            rows = await notifier.delivery_rows(event.id)
            return len(rows) == 2 and all(r.status == "delivered" for r in rows)

        await wait_for("both deliveries", both_delivered)
        await asyncio.sleep(2)  # room for any duplicate to show up
        assert len(await notifier.delivery_rows(event.id)) == 2  # one per subscription
        assert len(receiver.about(event.id)) == 1
        assert len(mail_sink.about(event.data["obligation_id"])) == 1


async def test_restart_mid_send_completes_the_delivery_once(
    database_url: str, kafka_broker: KafkaBroker, mail_sink: MailSink
) -> None:
    receiver = Receiver(hang_first=True).start()
    settings = settings_for(database_url, kafka_broker.bootstrap, mail_sink, delivery_lease_seconds=2)
    try:
        async with running(settings) as first:
            org = new_org()
            headers = await first.api_key(org)
            await first.subscribe(
                headers,
                name="slow",
                event_types=["obligation.created"],
                channel={"kind": "webhook", "url": receiver.url},
            )
            event = obligation_event(org)
            await publish(kafka_broker.bootstrap, event)

            async def in_flight() -> bool:
                return len(receiver.received) == 1

            await wait_for("the first, hanging request", in_flight)
        # The first instance is gone mid-send: nothing recorded, the lease will run out.
        receiver.release.set()
        async with running(settings) as second:

            async def delivered() -> list[object]:
                return [r for r in await second.delivery_rows(event.id) if r.status == "delivered"]

            row = (await wait_for("the delivery by the new instance", delivered))[0]
            assert len(await second.delivery_rows(event.id)) == 1
            assert await second.attempt_count(row.id) == 1
        assert len({r.headers["webhook-id"] for r in receiver.received}) == 1
        assert len(receiver.received) == 2  # the interrupted request and the completed one
    finally:
        receiver.stop()
