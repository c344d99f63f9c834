"""What every authenticated request passes: the client address's failed-authentication budget, the
key lookup (hashed, local), the key's own rate limit, and a note of its use. A failure is logged
with the reason, the key's prefix (its public id) and the address; never the key."""

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
from accord_common.keys.ratelimit import RateLimiter
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
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._sessions = sessions
        self._metadata = metadata
        self.limits = limits
        self._clock = clock
        self._keys = RateLimiter()
        self._addresses = RateLimiter()
        self.usage = UsageRecorder()

    async def admit(self, raw_key: str, address: str) -> Principal:
        """The caller's principal, or 401 (logged), or 429 with Retry-After."""
        self._refuse_blocked_address(address)
        try:
            async with self._sessions() as session:
                principal = await authenticate(session, self._metadata, raw_key)
        except KeyRefused as refused:
            self._addresses.take(address, self.limits.failed_per_address_per_minute, self._clock())
            log.warning(
                "authentication failed",
                extra={"reason": refused.reason, "key_prefix": refused.prefix, "client": address},
            )
            raise
        self._limit_key(principal)
        self.usage.touch(principal.key_id, principal.organization_id, datetime.now(UTC))
        return principal

    def _refuse_blocked_address(self, address: str) -> None:
        wait = self._addresses.wait_s(address, self.limits.failed_per_address_per_minute, self._clock())
        if wait:
            log.warning("client refused: too many failed authentications", extra={"client": address})
            raise TooManyRequests(
                f"too many failed authentications from this address; retry in {wait} seconds",
                retry_after_s=wait,
            )

    def _limit_key(self, principal: Principal) -> None:
        per_minute = principal.rate_limit_per_minute or self.limits.per_key_per_minute
        wait = self._keys.take(principal.key_id, per_minute, self._clock())
        if wait:
            raise TooManyRequests(
                f"API key {principal.key_id} is limited to {per_minute} requests a minute;"
                f" retry in {wait} seconds",
                retry_after_s=wait,
            )
