"""Answers of `GET /v1/contracts/{id}[?as_of=]` as sent lately, per process, so that a billing
system asking for the same contract as of its claims' dates is answered from memory.

An entry is the response body, keyed by organisation, contract, `as_of` and today's date (the latest
version and the versions' standing depend on the day). Every write to a contract or its versions goes
through ContractRepository.add/save, which rings `CONTRACTS` when its transaction commits
(accord_common.wakeups.ring_on_commit): that empties this process's entries at once and, on
PostgreSQL, every other worker's and replica's when the NOTIFY reaches them (at commit; the worker that
made the change has emptied its own before it answers). Entries are used only while such a ring can
reach this process (`usable`: on PostgreSQL while the wake-up listener is connected; emptied again
when it reconnects), and never past `ttl_s`.

A read that began before a change and ends after it must not store the old answer: `generation`
counts the emptyings, a reader notes it before reading the database, and `put` keeps the body only
if no emptying came in between. Bounded by bytes (`max_bytes`); the least recently used goes first.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import date

CONTRACTS = "contracts"
"""The wake-up channel rung by every committed change to a contract."""

ViewKey = tuple[str, str, date | None, date]


class ContractViews:
    def __init__(
        self,
        usable: Callable[[], bool],
        ttl_s: float = 60.0,
        max_bytes: int = 32 * 1024 * 1024,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.usable = usable
        self.ttl_s = ttl_s
        self.max_bytes = max_bytes
        self.clock = clock
        self.generation = 0
        self.size = 0
        self._entries: OrderedDict[ViewKey, tuple[float, bytes]] = OrderedDict()

    @staticmethod
    def key(org: str, contract_id: str, as_of: date | None, today: date) -> ViewKey:
        return (org, contract_id, as_of, today)

    def get(self, key: ViewKey) -> bytes | None:
        if not self.usable():
            return None
        entry = self._entries.get(key)
        if entry is None:
            return None
        stored_at, body = entry
        if self.clock() - stored_at >= self.ttl_s:
            self._drop(key)
            return None
        self._entries.move_to_end(key)
        return body

    def put(self, key: ViewKey, body: bytes, generation: int) -> None:
        """Keep `body`, read from the database when `generation` was current, unless the contracts
        changed since (or a ring could not reach this process, or it alone is over the budget)."""
        if generation != self.generation or not self.usable() or len(body) > self.max_bytes:
            return
        self._drop(key)
        self._entries[key] = (self.clock(), body)
        self.size += len(body)
        while self.size > self.max_bytes:
            oldest = next(iter(self._entries))
            self._drop(oldest)

    def clear(self) -> None:
        """A contract changed somewhere: read every contract again."""
        self._entries.clear()
        self.size = 0
        self.generation += 1

    def _drop(self, key: ViewKey) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            self.size -= len(entry[1])

    def __len__(self) -> int:
        return len(self._entries)
