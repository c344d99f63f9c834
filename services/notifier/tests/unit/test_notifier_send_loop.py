"""The send loop on SQLite with gated fake senders: endpoints do not wait for each other, and a stop
finishes and records what is in flight instead of leaving it to be sent again."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest
from notifier.adapters.mapping import event_uuid
from notifier.adapters.orm import deliveries, delivery_attempts
from notifier.domain import webhook_message_id
from notifier.entrypoints.send_loop import SendLoop
from notifier.handlers.deliveries import replay_delivery
from notifier.handlers.events import DELIVERIES_DUE
from notifier.handlers.sending import INTERRUPTED
from notifier.ports import SendResult
from notifier_world import ORG, World, obligation

SLOW = "https://slow.clinic.example/in"
FAST = "https://fast.clinic.example/in"


@dataclass
class GatedWebhooks:
    """Answers 204; a post to a gated URL waits until its gate opens."""

    gates: dict[str, asyncio.Event] = field(default_factory=dict)
    posts: list[tuple[str, str]] = field(default_factory=list)  # (url, webhook-id)
    in_flight: int = 0

    async def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> SendResult:
        self.posts.append((url, headers["webhook-id"]))
        self.in_flight += 1
        try:
            if url in self.gates:
                await self.gates[url].wait()
        finally:
            self.in_flight -= 1
        return SendResult(204, 30_000)


def loop_of(world: World, webhooks: GatedWebhooks, **settings: float) -> SendLoop:
    changed = world.runtime.settings.model_copy(update={"dispatcher_interval_seconds": 0.01} | settings)
    return SendLoop(changed, replace(world.dispatcher.senders, webhooks=webhooks))  # type: ignore[arg-type]


async def eventually(check: object, rounds: int = 500) -> None:
    for _ in range(rounds):
        if check():  # type: ignore[operator]
            return
        await asyncio.sleep(0.01)
    raise AssertionError("timed out")


async def statuses(world: World) -> list[str]:
    return sorted(row.status for row in await world.rows(deliveries))


async def test_a_slow_endpoint_holds_its_share_only_and_delays_nothing_else(world: World) -> None:
    webhooks = GatedWebhooks(gates={SLOW: asyncio.Event()})
    await world.subscribe(name="slow", webhook_url=SLOW)
    await world.subscribe(name="fast", webhook_url=FAST)
    await world.subscribe(
        name="mail", channel_kind="email", webhook_url=None, secrets=None, recipients=["a@clinic.example"]
    )
    for _ in range(5):
        await world.consume(obligation())
    loop = loop_of(world, webhooks, dispatcher_concurrency_per_endpoint=2)
    runner = asyncio.create_task(loop.run(world.runtime))
    try:
        await eventually(lambda: len(world.mail.sent) == 5 and sum(u == FAST for u, _ in webhooks.posts) == 5)
        await eventually(lambda: loop.busy == {s: 2 for s in loop.busy} and len(loop.busy) == 1)
        assert [u for u, _ in webhooks.posts].count(SLOW) == 2  # its share; three wait their turn
        webhooks.gates[SLOW].set()
        await eventually(lambda: [u for u, _ in webhooks.posts].count(SLOW) == 5)
    finally:
        runner.cancel()
        await asyncio.gather(runner, return_exceptions=True)
    assert await statuses(world) == ["delivered"] * 15


async def test_a_stop_lets_the_sends_in_flight_finish_and_records_them(world: World) -> None:
    webhooks = GatedWebhooks(gates={SLOW: asyncio.Event()})
    await world.subscribe(webhook_url=SLOW)
    await world.consume(obligation())
    loop = loop_of(world, webhooks, dispatcher_drain_seconds=5)
    runner = asyncio.create_task(loop.run(world.runtime))
    await eventually(lambda: webhooks.in_flight == 1)
    runner.cancel()  # the runtime stopping, mid-send
    await asyncio.sleep(0.05)
    assert not runner.done()  # it waits for the send in flight
    webhooks.gates[SLOW].set()
    await asyncio.gather(runner, return_exceptions=True)
    assert await statuses(world) == ["delivered"]  # recorded: no resend when a lease runs out
    (attempt,) = await world.rows(delivery_attempts)
    assert attempt.status_code == 204


async def test_a_send_unanswered_at_the_drain_deadline_is_recorded_as_interrupted(world: World) -> None:
    webhooks = GatedWebhooks(gates={SLOW: asyncio.Event()})  # never opens
    await world.subscribe(webhook_url=SLOW)
    await world.consume(obligation())
    loop = loop_of(world, webhooks, dispatcher_drain_seconds=0.1)
    runner = asyncio.create_task(loop.run(world.runtime))
    await eventually(lambda: webhooks.in_flight == 1)
    runner.cancel()
    await asyncio.gather(runner, return_exceptions=True)
    (row,) = await world.rows(deliveries)
    (attempt,) = await world.rows(delivery_attempts)
    assert (row.status, row.locked_until) == ("retrying", None)  # retried on schedule, not at lease end
    assert (attempt.status_code, attempt.error) == (None, INTERRUPTED)
    webhooks.gates[SLOW].set()
    world.clock.now += timedelta(seconds=1)  # the first retry delay of the test schedule
    await loop_of(world, webhooks).tick(world.runtime)
    assert await statuses(world) == ["delivered"]
    (cut_off, retried) = webhooks.posts
    assert cut_off[1] == retried[1] == row_webhook_id(row)  # the receiver can tell it is the same


async def test_a_stored_delivery_and_a_replay_start_a_round_at_once(world: World) -> None:
    """The loop pauses 30 s between rounds, but a commit that makes a delivery due wakes it."""
    await world.subscribe(
        channel_kind="email", webhook_url=None, secrets=None, recipients=["a@clinic.example"]
    )
    world.mail.replies = [550]  # refused for good: the delivery is dead after its first attempt
    loop = loop_of(world, GatedWebhooks(), dispatcher_interval_seconds=30)
    world.runtime.wakeups.on(DELIVERIES_DUE, loop.wake)  # as the composition root does
    runner = asyncio.create_task(loop.run(world.runtime))
    try:
        await asyncio.sleep(0.2)  # the first round found nothing: the loop is in its pause
        await world.consume(obligation())
        await eventually(lambda: len(world.mail.sent) == 1, rounds=200)  # 2 s, not 30
        await eventually(lambda: not loop.busy)
        (row,) = await world.rows(deliveries)
        assert row.status == "dead"
        await replay_delivery(world.runtime.uow(), ORG, row.id, world.clock())
        await eventually(lambda: len(world.mail.sent) == 2, rounds=200)
        await eventually(lambda: not loop.busy)
    finally:
        runner.cancel()
        await asyncio.gather(runner, return_exceptions=True)
    assert await statuses(world) == ["delivered"]


async def test_a_mail_keeps_its_message_id_on_every_retry_and_replay(world: World) -> None:
    await world.subscribe(
        channel_kind="email", webhook_url=None, secrets=None, recipients=["a@clinic.example"]
    )
    await world.consume(obligation())
    world.mail.replies = [451, 550]  # try again later; then refused for good
    await world.run_until_quiet(rounds=3)
    (row,) = await world.rows(deliveries)
    assert row.status == "dead"
    await replay_delivery(world.runtime.uow(), ORG, row.id, world.clock())
    await world.run_until_quiet(rounds=2)
    assert await statuses(world) == ["delivered"]
    ids = [mail.message_id for mail in world.mail.sent]
    assert ids == [f"<{row_webhook_id(row)}@accord.notifier>"] * 3


def row_webhook_id(row: Any) -> str:
    return webhook_message_id(event_uuid(row.event_id), UUID(row.subscription_id))


@dataclass
class TimedWebhooks:
    """Answers every post with `status` after `seconds`, reporting `latency_ms`; counts the most
    posts in flight at once."""

    status: int
    seconds: float = 0.02
    latency_ms: int = 20
    in_flight: int = 0
    most: int = 0
    posts: int = 0

    async def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> SendResult:
        self.posts += 1
        self.in_flight += 1
        self.most = max(self.most, self.in_flight)
        try:
            await asyncio.sleep(self.seconds)
        finally:
            self.in_flight -= 1
        return SendResult(self.status, self.latency_ms)


async def _drain(world: World, webhooks: TimedWebhooks, deliveries_due: int) -> SendLoop:
    await world.subscribe(webhook_url=FAST)
    for _ in range(deliveries_due):
        await world.consume(obligation())
    loop = loop_of(world, webhooks, dispatcher_concurrency_per_endpoint=2)  # max 8: the default
    runner = asyncio.create_task(loop.run(world.runtime))
    try:
        await eventually(lambda: webhooks.posts >= deliveries_due, rounds=3000)
        await eventually(lambda: not loop.busy)
    finally:
        runner.cancel()
        await asyncio.gather(runner, return_exceptions=True)
    return loop


async def test_an_endpoint_that_answers_quickly_earns_more_sends_in_flight(world: World) -> None:
    webhooks = TimedWebhooks(status=204)
    loop = await _drain(world, webhooks, 40)
    assert 2 < webhooks.most <= 8
    assert loop.earned == {next(iter(loop.earned)): 8}  # eight quick answers in a row and more
    assert await statuses(world) == ["delivered"] * 40


@pytest.mark.parametrize(
    "webhooks",
    [TimedWebhooks(status=503), TimedWebhooks(status=204, latency_ms=1500)],
    ids=["refusing", "slow"],
)
async def test_an_endpoint_that_fails_or_answers_slowly_keeps_two_in_flight(
    world: World, webhooks: TimedWebhooks
) -> None:
    loop = await _drain(world, webhooks, 12)
    assert webhooks.most == 2
    assert loop.earned == {}
