"""The send loop wakes when a delivery is stored, in any worker: on a real PostgreSQL, a real broker
and a real HTTP receiver.

Two workers of the notifier on one database: one runs (its send loop polls only every 30 s), the other
stores a delivery through the consumer's own handler and commits. The webhook arrives within a few
seconds, which only the NOTIFY sent with the commit can bring about.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from notifier.bootstrap import build_runtime, secret_box
from notifier.config import NotifierSettings
from notifier.entrypoints.consumers import event_handlers
from notifier_harness import Receiver, obligation_event, running, wait_for

PROMPT_S = 5.0  # far below the send loop's 30 s pause


async def test_a_delivery_stored_in_one_worker_is_sent_at_once_by_another(
    receiver: Receiver, make_settings: Callable[..., NotifierSettings]
) -> None:
    settings = make_settings(dispatcher_interval_seconds=30)
    async with running(settings) as sender:
        org, headers = await sender.tenant()
        channel = {"kind": "webhook", "url": receiver.url}
        await sender.subscribe(headers, name="Ops webhook", event_types=["obligation.*"], channel=channel)
        async with asyncio.timeout(30):
            await sender.runtime.wakeups.listening.wait()
        await asyncio.sleep(1)  # its first rounds are done: from now on it pauses 30 s
        storer = build_runtime(settings)  # another worker; only its consumer's handler runs here
        event = obligation_event(org)
        try:
            async with storer.uow() as uow:
                await event_handlers(settings.digest_hour_utc, secret_box(settings))[event.type](event, uow)
                committed = time.monotonic()
                await uow.commit()

            async def arrived() -> bool:
                return bool(receiver.about(event.data["contract_id"]))

            await wait_for("the webhook", arrived, timeout=PROMPT_S)
            assert time.monotonic() - committed < PROMPT_S
        finally:
            await storer.engine.dispose()
        delivered = await sender.wait_delivered(event.id)
        assert delivered.status == "delivered"
