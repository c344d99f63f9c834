"""A digest mail's attempt, recorded: the digest moves on, and every delivery it held follows.

A delivery it carried gets the attempt in its log; it ends when every digest carrying it has
(digest_mail.delivery_verdict) and publishes notification.delivered or notification.failed then.
A delivery it did not carry (its subscription stopped, or no longer names the address) leaves
the digest. All of it in one transaction, by the holder of the digest's lease only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from accord_common.uow import UnitOfWork

from notifier.adapters.digest_queue import DigestQueue
from notifier.adapters.dispatch_queue import DispatchQueue
from notifier.adapters.mapping import delivery_from_rows, digest_mail_from_row
from notifier.adapters.repository import OPEN
from notifier.domain import DeliveryStatus, DigestMail, delivery_verdict, digest_recipient
from notifier.handlers.dispatch import DispatchRules, delivery_ended
from notifier.ports import SendResult


@dataclass(frozen=True)
class DigestClaim:
    digest_id: str
    lease_token: str


@dataclass(frozen=True)
class DigestContents:
    carried: tuple[Any, ...]  # rows of DigestQueue.contents
    dropped: tuple[str, ...]  # delivery ids

    @property
    def carried_ids(self) -> tuple[str, ...]:
        return tuple(row.delivery_id for row in self.carried)


def sort_contents(rows: Iterable[Any], recipient: str) -> DigestContents:
    """What the digest carries to `recipient`: open deliveries of subscriptions that are still on
    and still name the address. Everything else leaves it."""
    carried: list[Any] = []
    dropped: list[str] = []
    for row in rows:
        names_it = recipient in {digest_recipient(address) for address in row.recipients or ()}
        subscription_on = row.deleted_at is None and row.disabled_at is None
        if row.status in OPEN and row.via_digest and subscription_on and names_it:
            carried.append(row)
        else:
            dropped.append(row.delivery_id)
    return DigestContents(tuple(carried), tuple(dropped))


async def record_digest_outcome(
    uow: UnitOfWork,
    claim: DigestClaim,
    contents: DigestContents,
    result: SendResult | None,
    rules: DispatchRules,
    now: datetime,
) -> DeliveryStatus | None:
    """Record one attempt (or, with no result, cancel the digest: it had nothing to carry).

    Returns the digest's new status, or None if this replica no longer holds the lease.
    """
    async with uow:
        queue = DigestQueue(uow.session)
        row = await queue.claimed(claim.digest_id, claim.lease_token, for_update=True)
        if row is None:
            return None
        before = digest_mail_from_row(row)
        if result is None:
            after = before.cancel()
            await queue.record(row.id, after, None, None, now)
        else:
            after = before.record_attempt(
                now, result.status_code, rules.rng, result.retry_after, rules.policy
            )
            await queue.record(row.id, after, result.status_code, result.error, now)
        await queue.drop(row.id, contents.dropped)
        carried = set(contents.carried_ids)
        # in id order, so two digests settling the same deliveries never wait on each other in a circle
        for delivery_id in sorted(carried | set(contents.dropped)):
            attempt = result if delivery_id in carried else None
            await _follow(uow, queue, delivery_id, attempt, after, rules, now)
        await uow.commit()
    return after.status


async def _follow(
    uow: UnitOfWork,
    queue: DigestQueue,
    delivery_id: str,
    result: SendResult | None,
    digest: DigestMail,
    rules: DispatchRules,
    now: datetime,
) -> None:
    """The delivery after this digest's attempt (None: the digest did not carry it)."""
    row = await queue.waiting_delivery(delivery_id)
    if row is None:
        return
    deliveries = DispatchQueue(uow.session)
    attempts: Sequence[Any] = await deliveries.attempts(row.id)
    before = delivery_from_rows(row, attempts)
    verdict = delivery_verdict(await queue.statuses_carrying(row.id))
    if result is not None:
        after = before.record_digest_attempt(
            now, result.status_code, result.latency_ms, verdict, digest.next_attempt_at, result.error
        )
    elif verdict is not None:
        after = before.conclude(verdict)
    else:
        return
    await deliveries.record(row.id, after, len(attempts), now)
    if not after.is_open:
        await delivery_ended(uow, deliveries, row, after, rules, now)
