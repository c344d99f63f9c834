"""One slow endpoint delays nothing else: sends run side by side, a bounded share per endpoint."""

from __future__ import annotations

from collections.abc import Callable

from notifier.config import NotifierSettings
from notifier_harness import MailSink, Receiver, obligation_event, running, wait_for


async def test_a_receiver_that_takes_30_s_delays_neither_email_nor_another_endpoint(
    make_settings: Callable[..., NotifierSettings],
    make_receiver: Callable[..., Receiver],
    mail_sink: MailSink,
) -> None:
    slow = make_receiver(delay_seconds=30)
    fast = make_receiver()
    # The slow receiver is waited for (no timeout first); stopping gives up on it after 1 s.
    settings = make_settings(webhook_timeout_seconds=40, dispatcher_drain_seconds=1)
    async with running(settings) as notifier:
        org, headers = await notifier.tenant()
        for name, url in (("slow", slow.url), ("fast", fast.url)):
            await notifier.subscribe(
                headers,
                name=name,
                event_types=["obligation.created"],
                channel={"kind": "webhook", "url": url},
            )
        await notifier.subscribe(
            headers,
            name="mail",
            event_types=["obligation.created"],
            channel={"kind": "email", "recipients": ["contracting@clinic.example"]},
        )
        backlog = [obligation_event(org) for _ in range(4)]
        await notifier.publish(*backlog)

        async def slow_is_busy() -> bool:
            return slow.in_progress >= 2

        await wait_for("the slow receiver holding two requests", slow_is_busy)
        event = obligation_event(org)
        await notifier.publish(event)

        async def mailed() -> bool:
            return bool(mail_sink.about(event.data["obligation_id"]))

        async def posted() -> bool:
            return bool(fast.about(event.id))

        # Each slow request takes 30 s: while the slow endpoint has received only its first two,
        # neither has been answered, so whatever arrives by then did not wait for it.
        await wait_for("the mail", mailed, timeout=30)
        assert len(slow.received) == 2, "the mail went out only after the slow endpoint answered"
        await wait_for("the other endpoint's webhook", posted, timeout=30)
        assert len(slow.received) == 2, "the other webhook went out only after the slow endpoint answered"
        for earlier in backlog:  # and everything before it, on the other endpoints
            assert len(fast.about(earlier.id)) == 1
            assert len(mail_sink.about(earlier.data["obligation_id"])) == 1
        assert slow.most_at_once == 2  # the slow endpoint's share of the pool, no more
