"""When a webhook endpoint is switched off, and why its owner must be told."""

from __future__ import annotations

from dataclasses import dataclass, replace

from .deliveries import Delivery, DeliveryStatus

# Consecutive dead-lettered deliveries (each already retried for about a day) before the
# endpoint is disabled; any delivered message in between resets the count.
DISABLE_AFTER_CONSECUTIVE_DEAD = 5


@dataclass(frozen=True)
class EndpointHealth:
    """How an endpoint has fared lately; `should_disable` means disable and email the owner."""

    consecutive_dead: int = 0
    gone: bool = False
    threshold: int = DISABLE_AFTER_CONSECUTIVE_DEAD  # deployments (and tests) may lower it

    def after(self, delivery: Delivery) -> EndpointHealth:
        """The health once `delivery` has ended (an open delivery changes nothing)."""
        if delivery.status is DeliveryStatus.DELIVERED:
            return replace(self, consecutive_dead=0, gone=False)
        if delivery.ended_gone:
            return replace(self, gone=True)
        if delivery.status is DeliveryStatus.DEAD:
            return replace(self, consecutive_dead=self.consecutive_dead + 1)
        return self

    @property
    def should_disable(self) -> bool:
        return self.gone or self.consecutive_dead >= max(self.threshold, 1)

    @property
    def disable_reason(self) -> str | None:
        """Why the endpoint is disabled, in words for its owner; None while it is healthy."""
        if self.gone:
            return "The endpoint answered 410 Gone, which means it no longer accepts webhooks."
        if self.should_disable:
            return f"The last {self.consecutive_dead} notifications failed after a day of retries each."
        return None
