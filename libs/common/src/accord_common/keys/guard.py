"""What every authenticated request passes: the client address's failed-authentication budget, the
key lookup (hashed, local), the key's own rate limit, and a note of its use. A failure is logged
with the reason, the key's prefix (its public id) and the address; never the key.

The counts live where `counters` keeps them: in the process (SQLite, one process) or in the
service's PostgreSQL database, so every worker of the service shares one limit (see
accord_common.keys.counters); the address check, the lookup and the count use one connection.

A key verified in the last few seconds is taken from the process's cache (accord_common.keys.cache:
how long, and how a change to a key empties it everywhere), and so is its address's check when that
was made as recently; the key's count is reserved from the shared window a slice at a time
(accord_common.keys.counters). A busy key's request then asks the database nothing; a refused one
always does."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from accord_common.auth import KeyRefused, Principal, authenticate
from accord_common.errors import TooManyRequests
from accord_common.keys.cache import KEY_CACHE_TTL_S, ClearAddresses, VerifiedKeys
from accord_common.keys.counters import Counters, InProcessCounters
from accord_common.keys.usage import UsageRecorder

log = logging.getLogger("accord.auth")


@dataclass(frozen=True, slots=True)
class RateLimits:
    """Requests a minute per key (unless the key has its own) and failed authentications a minute
    per client address."""

    per_key_per_minute: int = 3000
    failed_per_address_per_minute: int = 300


class KeyGuard:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        metadata: MetaData,
        limits: RateLimits,
        clock: Callable[[], float] = time.time,
        counters: Counters | None = None,
        cache_ttl_s: float = KEY_CACHE_TTL_S,
    ) -> None:
        self._sessions = sessions
        self._metadata = metadata
        self.limits = limits
        self.clock = clock  # wall time: windows counted in the database are the same for every worker
        self.counters = counters or InProcessCounters()
        self.usage = UsageRecorder()
        self.verified = VerifiedKeys(cache_ttl_s)
        self.clear_addresses = ClearAddresses(cache_ttl_s)

    async def admit(self, raw_key: str, address: str) -> Principal:
        """The caller's principal, or 401 (logged), or 429 with Retry-After."""
        principal = self.verified.get(raw_key)
        if (
            principal is not None
            and self.clear_addresses.fresh(address)
            and self.counters.take_reserved(
                _key_counter(principal), self._per_minute(principal), self.clock()
            )
        ):  # a busy key's request, admitted from memory: no session opened
            self.usage.touch(principal.key_id, principal.organization_id, datetime.now(UTC))
            return principal
        async with self._sessions() as session:
            if principal is None or not self.clear_addresses.fresh(address):
                await self._refuse_blocked_address(session, address)
                self.clear_addresses.mark(address)
            if principal is None:
                principal = await self._authenticate(session, raw_key, address)
                self.verified.put(raw_key, principal)
            await self._limit_key(session, principal)
        self.usage.touch(principal.key_id, principal.organization_id, datetime.now(UTC))
        return principal

    async def _authenticate(self, session: AsyncSession, raw_key: str, address: str) -> Principal:
        try:
            return await authenticate(session, self._metadata, raw_key)
        except KeyRefused as refused:
            self.clear_addresses.forget(address)
            await self._count_failure(session, address)
            log.warning(
                "authentication failed",
                extra={"reason": refused.reason, "key_prefix": refused.prefix, "client": address},
            )
            raise

    async def _count_failure(self, session: AsyncSession, address: str) -> None:
        name = f"address:{address}"
        await self.counters.take(session, name, self.limits.failed_per_address_per_minute, self.clock())
        await session.commit()

    async def _refuse_blocked_address(self, session: AsyncSession, address: str) -> None:
        name = f"address:{address}"
        wait = await self.counters.wait_s(
            session, name, self.limits.failed_per_address_per_minute, self.clock()
        )
        if wait:
            log.warning("client refused: too many failed authentications", extra={"client": address})
            raise TooManyRequests(
                f"too many failed authentications from this address; retry in {wait} seconds",
                retry_after_s=wait,
            )

    def _per_minute(self, principal: Principal) -> int:
        return principal.rate_limit_per_minute or self.limits.per_key_per_minute

    async def _limit_key(self, session: AsyncSession, principal: Principal) -> None:
        per_minute = self._per_minute(principal)
        wait = await self.counters.take(
            session, _key_counter(principal), per_minute, self.clock(), batch=True
        )
        await session.commit()
        if wait:
            raise TooManyRequests(
                f"API key {principal.key_id} is limited to {per_minute} requests a minute;"
                f" retry in {wait} seconds",
                retry_after_s=wait,
            )


def _key_counter(principal: Principal) -> str:
    return f"key:{principal.key_id}"
