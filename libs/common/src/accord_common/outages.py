"""Which failures are the infrastructure's (wait for it) and which are the message's (dead-letter it).

A database or broker that is down, restarting, refusing connections or timing out says nothing about the
event being processed: the event must wait, in order, until the infrastructure is back. Only a failure
of the event's own content (a payload the handler cannot apply) may send it to the dead letters.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterator

from aiokafka.errors import KafkaConnectionError, KafkaError, KafkaTimeoutError
from sqlalchemy import exc as sa_exc

# SQLSTATE classes and codes that mean "the server, not the statement": connection exceptions (08),
# insufficient resources (53), operator intervention such as admin or crash shutdown (57P0x),
# serialization failures and deadlocks (40001, 40P01: retry the transaction as it is).
_TRANSIENT_SQLSTATE_PREFIXES = ("08", "53", "57P", "40001", "40P01", "55P03")
_INFRA_TYPES: tuple[type[BaseException], ...] = (
    OSError,  # ConnectionRefusedError, ConnectionResetError, socket errors
    TimeoutError,  # asyncio.TimeoutError is TimeoutError on 3.11
    asyncio.IncompleteReadError,
    sa_exc.OperationalError,
    sa_exc.InterfaceError,
    sa_exc.DisconnectionError,
    sa_exc.TimeoutError,  # the connection pool is exhausted or the server does not answer
    KafkaConnectionError,
    KafkaTimeoutError,
)


class InfrastructureUnavailable(Exception):
    """The database or the broker failed; the record must wait and be retried, never dead-lettered."""


def is_infrastructure_failure(error: BaseException) -> bool:
    """True when `error` (or anything it was raised from) is the infrastructure's, not the message's."""
    for cause in _chain(error):
        if isinstance(cause, (InfrastructureUnavailable, *_INFRA_TYPES)):
            return True
        if isinstance(cause, sa_exc.DBAPIError) and cause.connection_invalidated:
            return True
        if isinstance(cause, KafkaError) and getattr(cause, "retriable", False):
            return True
        sqlstate = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
        if isinstance(sqlstate, str) and sqlstate.startswith(_TRANSIENT_SQLSTATE_PREFIXES):
            return True
        if type(cause).__module__.startswith("asyncpg") and type(cause).__name__ in _ASYNCPG_CONNECTION:
            return True
    return False


_ASYNCPG_CONNECTION = frozenset(
    {
        "ConnectionDoesNotExistError",
        "ConnectionFailureError",
        "InterfaceError",
        "InternalClientError",
        "CannotConnectNowError",
        "AdminShutdownError",
        "CrashShutdownError",
        "TooManyConnectionsError",
    }
)


def _chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    stack: list[BaseException | None] = [error]
    while stack:
        current = stack.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        stack.extend([current.__cause__, current.__context__, getattr(current, "orig", None)])
        if isinstance(current, BaseExceptionGroup):
            stack.extend(current.exceptions)


class OutageLog:
    """Log an outage once when it starts, then at most every `every_s` seconds, and once when it ends.

    A database or broker outage otherwise writes an error line per attempt (thousands a second); an
    operator needs to know it started, that it goes on, and when it ended."""

    def __init__(
        self, logger: logging.Logger, what: str, every_s: float = 30.0, forget_after_s: float | None = None
    ) -> None:
        self._log = logger
        self._what = what
        self._every = every_s
        self._forget_after = forget_after_s  # a failure this long after the last one starts a new outage
        self._since: float | None = None
        self._last = 0.0
        self._last_failure = 0.0
        self.retries = 0

    @property
    def ongoing(self) -> bool:
        return self._since is not None

    def failed(self, error: BaseException) -> None:
        now = time.monotonic()
        if self._forget_after is not None and now - self._last_failure > self._forget_after:
            self._since, self.retries = None, 0
        self._last_failure = now
        self.retries += 1
        reason = type(error).__name__  # the type only: a driver's message may quote row values
        if self._since is None:
            self._since, self._last = now, now
            self._log.warning(
                f"{self._what}: infrastructure unavailable, waiting", extra={"error_type": reason}
            )
        elif now - self._last >= self._every:
            self._last = now
            self._log.warning(
                f"{self._what}: infrastructure still unavailable",
                extra={
                    "error_type": reason,
                    "outage_seconds": round(now - self._since, 1),
                    "retries": self.retries,
                },
            )

    def recovered(self) -> None:
        if self._since is None:
            return
        seconds = round(time.monotonic() - self._since, 1)
        self._log.warning(
            f"{self._what}: infrastructure back", extra={"outage_seconds": seconds, "retries": self.retries}
        )
        self._since, self.retries = None, 0
