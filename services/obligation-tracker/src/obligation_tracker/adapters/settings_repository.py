"""Per-organisation calendar rules and iCalendar feed tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from accord_common.errors import NotFound
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from obligation_tracker.adapters.orm import calendar_feeds, org_settings

_SETTINGS = select(org_settings).where(org_settings.c.organization_id == bindparam("org"))  # built once


class OrgSettingsRepository:
    def __init__(self, session: AsyncSession, organization_id: str) -> None:
        self.session = session
        self.org = organization_id

    async def get(self) -> Any:
        return (await self.session.execute(_SETTINGS, {"org": self.org})).first()

    async def put(self, values: dict[str, Any]) -> None:
        if await self.get() is None:
            await self.session.execute(insert(org_settings).values(organization_id=self.org, **values))
            return
        await self.session.execute(
            update(org_settings).where(org_settings.c.organization_id == self.org).values(**values)
        )


class CalendarFeedRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, row: dict[str, Any]) -> None:
        await self.session.execute(insert(calendar_feeds).values(**row))

    async def by_token_hash(self, token_hash: str) -> Any:
        query = select(calendar_feeds).where(
            calendar_feeds.c.token_hash == token_hash, calendar_feeds.c.revoked_at.is_(None)
        )
        return (await self.session.execute(query)).first()

    async def list(self, organization_id: str) -> list[Any]:
        query = select(calendar_feeds).where(calendar_feeds.c.organization_id == organization_id)
        return list((await self.session.execute(query.order_by(calendar_feeds.c.created_at))).all())

    async def revoke(self, organization_id: str, feed_id: str, at: datetime) -> None:
        scoped = (calendar_feeds.c.id == feed_id) & (calendar_feeds.c.organization_id == organization_id)
        row = (await self.session.execute(select(calendar_feeds.c.id).where(scoped))).first()
        if row is None:
            raise NotFound(f"calendar feed {feed_id} not found")
        await self.session.execute(update(calendar_feeds).where(scoped).values(revoked_at=at))
