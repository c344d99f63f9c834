"""What a mail adds to the events it tells of, at send time, from the contract projection.

Names are looked up when the mail is written, so a mail says the name the contract has now; a
contract event also gets the previous version's terms, so its mail can say what changed. The
stored event (and so every webhook body) stays exactly as it was received.
"""

from __future__ import annotations

from typing import Any

from accord_common.events import CloudEvent
from sqlalchemy.ext.asyncio import AsyncSession

from notifier.adapters.contracts import ContractProjection
from notifier.domain import CONTRACT_EVENT_TYPES


async def with_names(
    session: AsyncSession, organization_id: str, events: list[CloudEvent]
) -> list[dict[str, Any]]:
    """Each event's data, with the contract's and payer's names from the projection added."""
    datas = [{**event.data, "organization_id": organization_id} for event in events]
    contract_ids = [str(d["contract_id"]) for d in datas if d.get("contract_id")]
    if not contract_ids:
        return datas
    known = await ContractProjection(session).for_organization(organization_id, contract_ids)
    return [
        known[str(d["contract_id"])].names_for(d) if str(d.get("contract_id")) in known else d for d in datas
    ]


async def with_previous_version(
    session: AsyncSession, event_type: str, data: dict[str, Any]
) -> dict[str, Any]:
    """A contract event's data with `previous_version` ({"version", "terms"}) when one is held."""
    if event_type not in CONTRACT_EVENT_TYPES or not data.get("contract_id"):
        return data
    try:
        version = int(str(data.get("version")))
    except ValueError:
        return data
    previous = await ContractProjection(session).version_before(
        str(data["organization_id"]), str(data["contract_id"]), version
    )
    if previous is None:
        return data
    return {**data, "previous_version": {"version": previous[0], "terms": previous[1]}}
