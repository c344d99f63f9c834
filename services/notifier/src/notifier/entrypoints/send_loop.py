"""The background runner that sends: claims due work each round and sends it from a bounded pool.

Runs in every replica (a ServiceRuntime background task). Each send is its own task: a webhook
that takes 30 s to answer holds one of its endpoint's slots (SendCapacity), while the next round,
a moment later, claims and sends everything else that is due. On stop the runner claims nothing
more and lets the sends in flight finish and be recorded (up to `dispatcher_drain_seconds`)
before it exits, so a clean shutdown sends nothing twice. After a crash, only the sends that were
in flight can go out again, with the same webhook-id / Message-ID, once their lease runs out.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections import Counter
from collections.abc import Coroutine
from datetime import datetime, timedelta
from typing import Any

from accord_common.runtime import ServiceRuntime

from notifier.config import NotifierSettings
from notifier.domain import SendCapacity
from notifier.handlers.digest_sending import claim_digests, send_digest
from notifier.handlers.owner_emails import claim_owner_emails, send_owner_email
from notifier.handlers.sending import Lease, Senders, claim_deliveries, send_delivery
from notifier.ports import SendResult

log = logging.getLogger(__name__)
OWNER_MAILS_PER_ROUND = 10
STRAGGLER_SECONDS = 5.0  # for a send cancelled at the drain deadline to record its attempt


class SendLoop:
    def __init__(self, settings: NotifierSettings, senders: Senders) -> None:
        self.settings = settings
        self.senders = senders
        self.capacity = SendCapacity(
            settings.dispatcher_concurrency,
            settings.dispatcher_concurrency_per_endpoint,
            settings.dispatcher_concurrency_per_endpoint_max,
            settings.dispatcher_fast_answer_ms,
        )
        self._in_flight: dict[asyncio.Task[None], str] = {}  # each send and its endpoint
        self.earned: dict[str, int] = {}  # endpoints' shares above per_endpoint (this replica's view)
        self._wake = asyncio.Event()  # a send ended, or a commit made a delivery due

    @property
    def busy(self) -> Counter[str]:
        """Sends in flight per endpoint."""
        return Counter(self._in_flight.values())

    def wake(self) -> None:
        """Start the next round now: a delivery became due (rung on commit, from any worker on
        PostgreSQL) instead of at the end of `dispatcher_interval_seconds`."""
        self._wake.set()

    async def run(self, runtime: ServiceRuntime) -> None:
        """Forever: one round, then a pause (cut short by a wake-up) unless more is due.

        A round woken early claims deliveries only; owner mails and digests (never urgent) are
        claimed once per `dispatcher_interval_seconds`, so a busy stream of wake-ups costs one query
        a round, not three."""
        clock, last_full = asyncio.get_running_loop().time, float("-inf")
        try:
            while True:
                self._wake.clear()  # before the round: a wake-up during it starts the next one
                everything = clock() - last_full >= self.settings.dispatcher_interval_seconds
                last_full = clock() if everything else last_full
                try:
                    more = await self.round(runtime, everything=everything)
                except Exception:
                    log.exception("send round failed; trying again")
                    more = False
                if not more:
                    await self._pause()
        except asyncio.CancelledError:
            await self.drain()
            raise

    async def round(self, runtime: ServiceRuntime, *, everything: bool = True) -> bool:
        """Claim and start what may start now: deliveries and (`everything`) owner mails and digests.
        True if more is due."""
        now = self.senders.clock()
        lease = Lease(str(uuid.uuid4()), now + timedelta(seconds=self.settings.delivery_lease_seconds))
        batch = self.settings.dispatcher_batch_size
        if everything:
            await self._start_owner_mails(runtime, now, lease)
        jobs = await claim_deliveries(runtime.uow(), now, lease, self.capacity, self.busy, batch, self.earned)
        for job in jobs:
            self._start(
                job.endpoint, self._paced(job.endpoint, send_delivery(runtime.uow, self.senders, job))
            )
        digests_full = everything and await self._start_digests(runtime, now, lease, batch)
        return (len(jobs) >= batch or digests_full) and self.capacity.free(self.busy) > 0

    async def _start_owner_mails(self, runtime: ServiceRuntime, now: datetime, lease: Lease) -> None:
        limit = min(OWNER_MAILS_PER_ROUND, self.capacity.free(self.busy))
        for row in await claim_owner_emails(runtime.uow(), now, lease, limit):
            self._start(f"owner-mail:{row.id}", send_owner_email(runtime.uow, self.senders, row))

    async def _start_digests(self, runtime: ServiceRuntime, now: datetime, lease: Lease, batch: int) -> bool:
        """Claim and start due digests; True if the claim was full (more may be due)."""
        limit = min(batch, self.capacity.free(self.busy))
        digests = await claim_digests(runtime.uow(), now, lease, limit)
        for claim in digests:
            self._start(f"digest:{claim.digest_id}", send_digest(runtime.uow, self.senders, claim))
        return limit > 0 and len(digests) >= limit

    async def tick(self, runtime: ServiceRuntime) -> None:
        """One round, then wait until every send it started is recorded (tests step with this)."""
        await self.round(runtime)
        await self.settle()

    async def settle(self) -> None:
        """Wait for every send in flight."""
        while self._in_flight:
            await asyncio.wait(list(self._in_flight))

    async def drain(self) -> None:
        """On stop: let the sends in flight finish and be recorded, up to the drain deadline."""
        in_flight = list(self._in_flight)
        if not in_flight:
            return
        log.info("stopping: %d send(s) in flight finish first", len(in_flight))
        _, late = await asyncio.wait(in_flight, timeout=self.settings.dispatcher_drain_seconds)
        if late:
            log.warning("%d send(s) unanswered at the drain deadline: recorded as interrupted", len(late))
            for task in late:
                task.cancel()
            await asyncio.wait(late, timeout=STRAGGLER_SECONDS)

    def _start(self, endpoint: str, send: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(self._guarded(send), name=f"send {endpoint}")
        self._in_flight[task] = endpoint
        task.add_done_callback(self._finished)

    async def _paced(self, endpoint: str, send: Coroutine[Any, Any, SendResult | None]) -> None:
        """Send, then move the endpoint's share by how it answered (SendCapacity.after_answer)."""
        result = await send
        if result is None:
            return
        share = self.capacity.after_answer(
            self.capacity.share(endpoint, self.earned), result.status_code, result.latency_ms
        )
        if share > self.capacity.per_endpoint:
            self.earned[endpoint] = share
        else:
            self.earned.pop(endpoint, None)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._in_flight.pop(task, None)
        self._wake.set()

    async def _guarded(self, send: Coroutine[Any, Any, None]) -> None:
        try:
            await send
        except Exception:
            log.exception("a send failed unrecorded; it is claimed again when its lease runs out")

    async def _pause(self) -> None:
        # asyncio.timeout, not wait_for: on Python 3.11 wait_for can swallow the task's own
        # cancellation when the event is set at the same moment, and the loop would never stop
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self.settings.dispatcher_interval_seconds):
                await self._wake.wait()
