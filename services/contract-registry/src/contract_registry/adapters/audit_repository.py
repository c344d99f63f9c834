"""The audit trail: append-only (no update or delete is ever issued), read per organisation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from contract_registry.adapters.orm import audit_log

# built once, the entry's values bound per call (every change appends one)
_APPEND = insert(audit_log)


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """Who did what to which thing, when, and what changed (field -> {old, new} or a summary)."""

    actor: str
    action: str
    entity: str
    entity_id: str
    changes: dict[str, Any]
    at: datetime
    contract_id: str | None = None
    comment: str | None = None
    actor_key_id: str | None = None


class AuditRepository:
    def __init__(self, session: AsyncSession, organization_id: str) -> None:
        self.session = session
        self.org = organization_id

    async def append(self, entry: AuditEntry) -> None:
        await self.session.execute(
            _APPEND,
            {
                "organization_id": self.org,
                "contract_id": entry.contract_id,
                "entity": entry.entity,
                "entity_id": entry.entity_id,
                "actor": entry.actor,
                "actor_key_id": entry.actor_key_id,
                "action": entry.action,
                "at": entry.at,
                "changes": entry.changes,
                "comment": entry.comment,
            },
        )

    async def entries(self, contract_id: str | None, after: int | None, limit: int) -> list[Any]:
        query = select(audit_log).where(audit_log.c.organization_id == self.org)
        if contract_id is not None:
            query = query.where(audit_log.c.contract_id == contract_id)
        if after is not None:
            query = query.where(audit_log.c.id > after)
        return list((await self.session.execute(query.order_by(audit_log.c.id).limit(limit))).all())
