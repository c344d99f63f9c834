"""Every subscription's stored signing secrets, across organisations, to re-encrypt them all.

Deleted subscriptions are included: their secrets stay in the table and must be unreadable too.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from notifier.adapters.orm import subscriptions


class StoredSecrets:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def all_for_update(self) -> Sequence[Row[Any, Any]]:
        """(id, secrets) of every subscription holding secrets, locked against a concurrent rotation."""
        query = (
            select(subscriptions.c.id, subscriptions.c.secrets)
            .where(subscriptions.c.secrets.is_not(None))
            .order_by(subscriptions.c.id)
            .with_for_update()
        )
        return (await self.session.execute(query)).all()

    async def replace(self, subscription_id: str, stored: list[dict[str, Any]]) -> None:
        await self.session.execute(
            update(subscriptions).where(subscriptions.c.id == subscription_id).values(secrets=stored)
        )
