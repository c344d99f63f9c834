"""The consumer's side of digests: a delivery joins its recipients' digests, in the consumer's transaction.

One digest row per (organisation, recipient, day), made with INSERT ... ON CONFLICT DO NOTHING so
replicas consuming at once share it, then locked (`FOR UPDATE`) to read whether it is sealed. The
send loop seals a digest in the transaction that first claims it, and claims with SKIP LOCKED:
so a delivery either joins a digest before it is claimed, or sees it sealed and joins the next
day's. Nothing joins a mail that is already being sent.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from notifier.adapters.mapping import as_utc
from notifier.adapters.orm import digest_items, digests
from notifier.domain import DeliveryStatus, digest_recipient, the_day_after

# A sealed digest sends the item to the next day's; a few days of sealed digests ahead of the
# clock would mean replicas' clocks disagree wildly: fail (the consumer retries) rather than guess.
MAX_DAYS_AHEAD = 3


class DigestLedger:
    def __init__(self, session: AsyncSession, organization_id: str) -> None:
        self.session = session
        self.organization_id = organization_id

    async def enlist(
        self, delivery_id: str, recipients: Iterable[str], due: datetime, now: datetime
    ) -> datetime:
        """Put the delivery into each recipient's first unsealed digest from `due` on.

        Returns when the latest of those digests goes out. Recipients are locked in address
        order, so two transactions never wait on each other in a circle.
        """
        latest = due
        for recipient in sorted({digest_recipient(address) for address in recipients}):
            digest_id, digest_at = await self._open_digest(recipient, due, now)
            await self.session.execute(
                insert(digest_items).values(digest_id=digest_id, delivery_id=delivery_id)
            )
            latest = max(latest, digest_at)
        return latest

    async def _open_digest(self, recipient: str, due: datetime, now: datetime) -> tuple[str, datetime]:
        for _ in range(MAX_DAYS_AHEAD):
            await self._insert_if_missing(recipient, due, now)
            query = select(digests).where(
                digests.c.organization_id == self.organization_id,
                digests.c.recipient == recipient,
                digests.c.digest_date == due.date(),
            )
            row = (await self.session.execute(query.with_for_update())).one()
            if row.sealed_at is None:
                return row.id, as_utc(row.next_attempt_at) or due
            due = the_day_after(due)
        raise RuntimeError(f"no unsealed digest within {MAX_DAYS_AHEAD} days; are the clocks in step?")

    async def _insert_if_missing(self, recipient: str, due: datetime, now: datetime) -> None:
        values: dict[str, Any] = {
            "id": str(uuid.uuid4()),
            "organization_id": self.organization_id,
            "recipient": recipient,
            "digest_date": due.date(),
            "status": DeliveryStatus.PENDING.value,
            "next_attempt_at": due,
            "attempts": 0,
            "created_at": now,
        }
        key = ["organization_id", "recipient", "digest_date"]
        if self.session.get_bind().dialect.name == "postgresql":
            statement: Any = (
                postgresql.insert(digests).values(**values).on_conflict_do_nothing(index_elements=key)
            )
        else:
            statement = sqlite.insert(digests).values(**values).on_conflict_do_nothing(index_elements=key)
        await self.session.execute(statement)
