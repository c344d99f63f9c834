"""How many sends may be in flight at once: a bounded pool, and a share of it per endpoint.

An endpoint is what one slow or failing receiver can hold up: a webhook subscription, an email
subscription, one digest or one owner mail. Each may use at most its share of the `total` slots, so
a receiver that takes 30 s to answer keeps its own deliveries waiting, never another endpoint's or
another channel's.

Every endpoint starts with `per_endpoint` slots. One that answers well and quickly earns one more
slot with each such answer, up to `per_endpoint_max`; any other answer (an error, no answer, a slow
one) halves what it has earned, never below `per_endpoint` (additive increase, multiplicative
decrease, as TCP paces a connection). So a billing system that takes each webhook in 20 ms gets a
backlog of thousands in a few minutes, while one that struggles is not pushed harder.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

NONE_EARNED: Mapping[str, int] = {}


@dataclass(frozen=True)
class SendCapacity:
    total: int
    per_endpoint: int
    per_endpoint_max: int = 0  # 0: every endpoint keeps `per_endpoint`
    fast_answer_ms: int = 1000  # an answer this quick (and 2xx) earns a slot

    def __post_init__(self) -> None:
        if self.total < 1 or self.per_endpoint < 1:
            raise ValueError("send capacity needs at least one slot in all and per endpoint")

    @property
    def ceiling(self) -> int:
        """The most slots any endpoint may hold."""
        return max(self.per_endpoint, self.per_endpoint_max)

    def share(self, endpoint: str, earned: Mapping[str, int] = NONE_EARNED) -> int:
        """The endpoint's slots: what it has earned, else `per_endpoint`."""
        return min(max(earned.get(endpoint, self.per_endpoint), self.per_endpoint), self.ceiling)

    def after_answer(self, share: int, status_code: int | None, latency_ms: int) -> int:
        """An endpoint's share once it answered a send: one more for a quick 2xx, else halved."""
        if status_code is not None and 200 <= status_code < 300 and latency_ms <= self.fast_answer_ms:
            return min(share + 1, self.ceiling)
        return max(share // 2, self.per_endpoint)

    def free(self, busy: Mapping[str, int]) -> int:
        """Slots left in the pool."""
        return max(self.total - sum(busy.values()), 0)

    def full(self, busy: Mapping[str, int], earned: Mapping[str, int] = NONE_EARNED) -> frozenset[str]:
        """Endpoints that may not start another send now."""
        return frozenset(e for e, count in busy.items() if count >= self.share(e, earned))

    def choose(
        self, due: Iterable[tuple[str, str]], busy: Mapping[str, int], earned: Mapping[str, int] = NONE_EARNED
    ) -> list[str]:
        """From (item, endpoint) pairs in due order, the items that may start now."""
        taken: Counter[str] = Counter(busy)
        room = self.free(busy)
        chosen: list[str] = []
        for item, endpoint in due:
            if len(chosen) >= room:
                break
            if taken[endpoint] < self.share(endpoint, earned):
                taken[endpoint] += 1
                chosen.append(item)
        return chosen
