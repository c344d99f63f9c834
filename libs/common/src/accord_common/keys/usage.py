"""Last use of each key, coalesced: requests only note it in memory; a background flush writes it
(one UPDATE per key used since the last flush) and tells the registry (api_key.used)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, update

from accord_common.events import CloudEvent, new_event
from accord_common.uow import UnitOfWork

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class KeyUse:
    key_id: str
    organization_id: str
    at: datetime


class UsageRecorder:
    """Keys used since the last flush, with the latest time each was used."""

    def __init__(self) -> None:
        self._pending: dict[str, KeyUse] = {}

    def touch(self, key_id: str, organization_id: str, at: datetime) -> None:
        self._pending[key_id] = KeyUse(key_id, organization_id, at)

    def drain(self) -> list[KeyUse]:
        drained, self._pending = list(self._pending.values()), {}
        return drained


async def flush_usage(uow: UnitOfWork, uses: list[KeyUse], service: str, *, publish: bool) -> None:
    """Write each key's last use (never moving it back) and, with a broker, publish api_key.used."""
    if not uses:
        return
    table = uow.metadata.tables["api_keys"]
    async with uow:
        for use in uses:
            await uow.session.execute(
                update(table)
                .where(table.c.id == use.key_id)
                .where(or_(table.c.last_used_at.is_(None), table.c.last_used_at < use.at))
                .values(last_used_at=use.at)
            )
            if publish:
                uow.publish(_used_event(use, service))
        await uow.commit()


def _used_event(use: KeyUse, service: str) -> CloudEvent:
    data = {
        "key_id": use.key_id,
        "organization_id": use.organization_id,
        "service": service,
        "last_used_at": use.at.isoformat(),
    }
    return new_event(
        "api_key.used", source=service, subject=use.key_id, data=data, organization_id=use.organization_id
    )


async def run_usage_flush(
    recorder: UsageRecorder,
    uow_factory: Callable[[], UnitOfWork],
    service: str,
    interval_s: float,
    *,
    publish: bool,
) -> None:
    """Flush every `interval_s` until cancelled; a failed flush keeps nothing worse than a stale time."""
    while True:
        await asyncio.sleep(interval_s)
        uses = recorder.drain()
        try:
            await flush_usage(uow_factory(), uses, service, publish=publish)
        except Exception:
            log.warning("could not record the last use of %d API keys", len(uses), exc_info=True)
