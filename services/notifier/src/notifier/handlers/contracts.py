"""contract.* events kept as a small projection: each contract's name, payer and status, and
the terms of every version seen (so a contract mail can say what changed)."""

from __future__ import annotations

import logging
from datetime import datetime

from accord_common.events import CloudEvent
from accord_common.events.payloads import ContractVersionData
from accord_common.uow import UnitOfWork

from notifier.adapters.contracts import ContractProjection
from notifier.domain import ContractSummary, version_terms

log = logging.getLogger(__name__)


async def apply_contract_version(
    uow: UnitOfWork, event: CloudEvent, version: ContractVersionData, now: datetime
) -> bool:
    """Hold the event's version if it supersedes the one held; the consumer loop commits.

    Returns whether the projection changed (an older version, or a repeat, changes nothing).
    """
    data = version.model_dump(mode="json", exclude_unset=True)
    try:
        incoming = ContractSummary.from_event(data)
    except (KeyError, TypeError, ValueError):
        log.warning("contract event without the fields the projection needs", extra={"event_id": event.id})
        return False
    projection = ContractProjection(uow.session)
    held = await projection.get(incoming.contract_id, for_update=True)
    if held is not None and held.organization_id != incoming.organization_id:
        log.warning(
            "contract event for another organisation's contract ignored", extra={"event_id": event.id}
        )
        return False
    await projection.keep_terms(incoming, version_terms(data), now)
    if not incoming.supersedes(held):
        return False
    await projection.put(incoming, now, exists=held is not None)
    return True
