"""What every use case shares: the clock, the audit trail and the source name of events."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from accord_common.auth import Principal
from accord_common.uow import UnitOfWork

from contract_registry.adapters.audit_repository import AuditEntry, AuditRepository

SOURCE = "contract-registry"


def utcnow() -> datetime:
    return datetime.now(UTC)


async def audit(
    uow: UnitOfWork,
    who: Principal,
    action: str,
    *,
    entity: str,
    entity_id: str,
    changes: dict[str, Any],
    at: datetime,
    contract_id: str | None = None,
    comment: str | None = None,
) -> None:
    """Append one audit entry in the unit of work's transaction (it commits with the change); it
    names the acting key by its id as well as its holder's name."""
    entry = AuditEntry(who.name, action, entity, entity_id, changes, at, contract_id, comment, who.key_id)
    await AuditRepository(uow.session, who.organization_id).append(entry)


def changed(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """Field -> {old, new} for every field whose value differs."""
    return {
        key: {"old": old.get(key), "new": new.get(key)}
        for key in sorted(old.keys() | new.keys())
        if old.get(key) != new.get(key)
    }
