"""How many sends may be in flight at once: a bounded pool, and a share of it per endpoint.

An endpoint is what one slow or failing receiver can hold up: a webhook subscription, an email
subscription, one digest or one owner mail. Each may use at most `per_endpoint` of the `total`
slots, so a receiver that takes 30 s to answer keeps its own deliveries waiting, never another
endpoint's or another channel's.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class SendCapacity:
    total: int
    per_endpoint: int

    def __post_init__(self) -> None:
        if self.total < 1 or self.per_endpoint < 1:
            raise ValueError("send capacity needs at least one slot in all and per endpoint")

    def free(self, busy: Mapping[str, int]) -> int:
        """Slots left in the pool."""
        return max(self.total - sum(busy.values()), 0)

    def full(self, busy: Mapping[str, int]) -> frozenset[str]:
        """Endpoints that may not start another send now."""
        return frozenset(endpoint for endpoint, count in busy.items() if count >= self.per_endpoint)

    def choose(self, due: Iterable[tuple[str, str]], busy: Mapping[str, int]) -> list[str]:
        """From (item, endpoint) pairs in due order, the items that may start now."""
        taken: Counter[str] = Counter(busy)
        room = self.free(busy)
        chosen: list[str] = []
        for item, endpoint in due:
            if len(chosen) >= room:
                break
            if taken[endpoint] < self.per_endpoint:
                taken[endpoint] += 1
                chosen.append(item)
        return chosen
