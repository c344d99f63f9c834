"""Wake-ups on commit: a background loop (the outbox relay, the notifier's send loop) waits on a
channel, and a unit of work that commits work for it rings the channel, so the loop starts at once
instead of at its next poll.

A ring reaches the loops of this process right after the commit, on any database. On PostgreSQL it
also reaches every other process on the same database (the other uvicorn workers and replicas): the
unit of work sends `NOTIFY` in the same transaction as the rows it tells about, so the notification
goes out when, and only if, they commit, and each process LISTENs on one connection of its own. The
loops keep polling as well: a ring is a hint to look now, never the only way work is found (a process
that was not listening when a notification went out finds the work at its next poll).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from accord_common.db import is_sqlite, make_engine
from accord_common.outages import OutageLog

log = logging.getLogger(__name__)
OUTBOX = "outbox"  # rung by every unit of work that writes outbox rows
KEYS = "api_keys"  # rung by every unit of work that changes an API key: the key caches are emptied
_RINGS = "accord.rings"  # session.info: channels a repository asked to ring when the session commits
_KEEPALIVE_S = 15.0  # how often the listening connection is checked
_RECONNECT_S = (0.5, 10.0)


class Wakeups:
    """The wake-up channels of one service: who waits on which, and the listening connection."""

    def __init__(self, service_name: str) -> None:
        self._prefix = "accord_" + "".join(c if c.isalnum() else "_" for c in service_name.lower())
        # carried by this process's NOTIFYs: it hears its own, already rung in process, and skips them
        self.token = uuid.uuid4().hex
        self._waiting: dict[str, list[Callable[[], None]]] = {}
        self._task: asyncio.Task[None] | None = None
        self.listening = asyncio.Event()  # set while the PostgreSQL connection LISTENs
        self._one_process = False  # SQLite: every ring is this process's own

    def channel(self, name: str) -> str:
        """The PostgreSQL channel of `name`: one per service, so services sharing a server stay apart."""
        return f"{self._prefix}_{name}"

    def on(self, name: str, wake: Callable[[], None]) -> None:
        """Call `wake` (in the event loop, without blocking) whenever `name` is rung."""
        self._waiting.setdefault(name, []).append(wake)

    def ring(self, names: Iterable[str]) -> None:
        """Wake this process's loops waiting on `names` (a unit of work calls it after its commit)."""
        for name in names:
            for wake in self._waiting.get(name, ()):
                wake()

    def ring_all(self) -> None:
        self.ring(list(self._waiting))

    def reach_every_process(self) -> bool:
        """True while a ring from any process of the service reaches this one: on PostgreSQL while
        the listening connection is up, on SQLite (one process) once started. A cache emptied by a
        ring serves only while this holds (before `start`, and while the listener reconnects, no)."""
        return self._one_process or self.listening.is_set()

    def start(self, database_url: str) -> None:
        """On PostgreSQL, LISTEN for the other processes' rings on a connection of its own (outside
        the service's pool), reconnecting after a failure. Nothing to do on SQLite (one process)."""
        if is_sqlite(database_url):
            self._one_process = True
            return
        if self._task is not None:
            return
        self._engine = make_engine(database_url, null_pool=True)
        self._task = asyncio.create_task(self._listen(self._engine), name="wakeups")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
            await self._engine.dispose()

    async def _listen(self, engine: AsyncEngine) -> None:
        outage, delay = OutageLog(log, "wake-up listener"), _RECONNECT_S[0]
        while True:
            try:
                async with engine.connect() as connection:
                    raw: Any = (await connection.get_raw_connection()).driver_connection
                    for name in self._waiting:
                        await raw.add_listener(self.channel(name), self._heard)
                    self.listening.set()
                    outage.recovered()
                    delay = _RECONNECT_S[0]
                    self.ring_all()  # whatever was rung while nobody listened here
                    await _keep_alive(raw)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the loops still poll: only the wake-up is late
                outage.failed(exc)
            finally:
                self.listening.clear()
            await asyncio.sleep(delay)
            delay = min(delay * 2, _RECONNECT_S[1])

    def _heard(self, _connection: Any, _pid: int, channel: str, payload: str) -> None:
        if payload != self.token:
            self.ring([channel.removeprefix(self._prefix + "_")])


def ring_on_commit(session: AsyncSession, channel: str) -> None:
    """Ring `channel` if and when `session`'s transaction commits through its unit of work: for a
    repository that changes what a cache keeps (it has the session, not the unit of work), so that no
    write path can forget to. Dropped on rollback."""
    session.info.setdefault(_RINGS, set()).add(channel)


def rings_asked(session: AsyncSession) -> set[str]:
    """The channels `ring_on_commit` noted on `session`, taken (the unit of work calls it)."""
    asked: set[str] = session.info.pop(_RINGS, set())
    return asked


async def _keep_alive(raw: Any) -> None:
    """Return (raising) only when the connection stops answering; a closed one raises at once."""
    while True:
        await asyncio.sleep(_KEEPALIVE_S)
        async with asyncio.timeout(5):
            await raw.fetchval("SELECT 1")
