"""The scheduler: a background task of the runtime that sweeps for reminders every interval, and
applies any parked claim event whose wait is over (the safety net behind the releases)."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from accord_common.outages import OutageLog, is_infrastructure_failure
from accord_common.runtime import BackgroundTask, ServiceRuntime
from prometheus_client import Gauge

from obligation_tracker.adapters.parked_repository import count_parked
from obligation_tracker.clock import system_clock
from obligation_tracker.handlers.context import Tracker
from obligation_tracker.handlers.parking import release_ready
from obligation_tracker.handlers.reminders import UowFactory, sweep

log = logging.getLogger(__name__)
PARKED = Gauge("accord_parked_events", "Claim events waiting for their contract, pricing or variance")
# A parked event is left to its release this long before the sweep looks at it.
PARKED_GRACE = timedelta(seconds=30)


class ReminderScheduler:
    def __init__(
        self, uow_factory: UowFactory, tracker: Tracker, interval_s: float, batch_size: int = 500
    ) -> None:
        self.uow_factory = uow_factory
        self.tracker = tracker
        self.interval_s = interval_s
        self.batch_size = batch_size

    async def run_once(self) -> int:
        """One sweep; returns the number of reminder events written to the outbox."""
        return await sweep(self.uow_factory, self.tracker, self.batch_size)

    async def release_parked(self, grace: timedelta = PARKED_GRACE) -> int:
        """Apply the parked claim events whose wait is over; returns how many were applied."""
        return await release_ready(self.uow_factory, self.tracker, system_clock() - grace, self.batch_size)

    async def measure_parked(self) -> int:
        async with self.uow_factory() as uow:
            waiting = await count_parked(uow.session)
        PARKED.set(waiting)
        return waiting

    async def run_forever(self) -> None:
        outage = OutageLog(log, "reminder scheduler")
        while True:
            try:
                sent = await self.run_once()
                if sent:
                    log.info("reminders sent", extra={"count": sent})
                await self.release_parked()
                await self.measure_parked()
                outage.recovered()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if is_infrastructure_failure(exc):
                    outage.failed(exc)  # once per outage, then at a bounded rate
                else:
                    log.exception("reminder sweep failed; retrying next interval")
            await asyncio.sleep(self.interval_s)


def scheduler_task(tracker: Tracker, interval_s: float, batch_size: int) -> BackgroundTask:
    """The runtime background task running the scheduler on the runtime's database."""

    async def obligation_scheduler(runtime: ServiceRuntime) -> None:
        await ReminderScheduler(runtime.uow, tracker, interval_s, batch_size).run_forever()

    return obligation_scheduler
