"""Keys verified a moment ago, per process, so a busy client's requests skip the key lookup.

`VerifiedKeys` holds the principal of each key that matched its stored hash, found by SHA-256 of the
whole key (a refused key is never entered: every failure still goes to the database, is logged and
counted against its address). An entry lives `ttl_s` seconds (`KEY_CACHE_TTL_S`, 5 s) and never past
the key's own expiry. Every change to a key (issue, rotation, expiry, revocation, sign-out, a
projected api_key.* event) rings the `api_keys` wake-up when it commits (accord_common.wakeups), which
empties the cache of this process at once and, on PostgreSQL, of every other process on the database
(NOTIFY); the TTL bounds what a missed ring can leave (a key changed from the command line, a listener
reconnecting): a revoked key is refused everywhere at most `ttl_s` after the revocation.

`ClearAddresses` notes, per client address, when the database last said it was not blocked for
failed authentications; a request with a cached key from such an address skips that check for
`ttl_s`. A failure from the address here forgets the note at once (another worker's failures reach
this one within `ttl_s`); a request with a key not in the cache always checks the database.

Both are bounded (`max_entries`, oldest first out) and keep time by a monotonic clock.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime

from accord_common.auth import Principal, hash_key

KEY_CACHE_TTL_S = 5.0
MAX_ENTRIES = 10_000


class VerifiedKeys:
    def __init__(
        self,
        ttl_s: float = KEY_CACHE_TTL_S,
        max_entries: int = MAX_ENTRIES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl_s = ttl_s
        self._max = max_entries
        self.clock = clock
        self._entries: OrderedDict[str, tuple[float, Principal]] = OrderedDict()

    def get(self, raw_key: str) -> Principal | None:
        """The key's principal if it was verified less than `ttl_s` ago and has not expired since."""
        if self.ttl_s <= 0:
            return None
        digest = hash_key(raw_key)
        entry = self._entries.get(digest)
        if entry is None:
            return None
        verified_at, principal = entry
        expired = principal.expires_at is not None and principal.expires_at <= datetime.now(UTC)
        if expired or self.clock() - verified_at >= self.ttl_s:
            del self._entries[digest]
            return None
        return principal

    def put(self, raw_key: str, principal: Principal) -> None:
        if self.ttl_s <= 0:
            return
        digest = hash_key(raw_key)
        self._entries.pop(digest, None)
        self._entries[digest] = (self.clock(), principal)
        while len(self._entries) > self._max:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        """A key changed somewhere: verify every key again."""
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


class ClearAddresses:
    def __init__(
        self,
        ttl_s: float = KEY_CACHE_TTL_S,
        max_entries: int = MAX_ENTRIES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl_s = ttl_s
        self._max = max_entries
        self.clock = clock
        self._checked: OrderedDict[str, float] = OrderedDict()

    def fresh(self, address: str) -> bool:
        """True when the database said less than `ttl_s` ago that `address` was not blocked."""
        checked = self._checked.get(address)
        return checked is not None and self.clock() - checked < self.ttl_s

    def mark(self, address: str) -> None:
        self._checked.pop(address, None)
        self._checked[address] = self.clock()
        while len(self._checked) > self._max:
            self._checked.popitem(last=False)

    def forget(self, address: str) -> None:
        self._checked.pop(address, None)
