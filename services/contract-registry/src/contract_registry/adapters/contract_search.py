"""Contract search: filters, free text on contract and payer names, keyset (cursor) pagination."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from contract_registry.adapters.orm import contracts, payers


@dataclass(frozen=True, slots=True)
class ContractQuery:
    payer_id: str | None = None
    status: str | None = None
    expiring_within_days: int | None = None
    text: str | None = None
    after: tuple[datetime, str] | None = None
    limit: int = 50


async def search_contracts(
    session: AsyncSession, organization_id: str, query: ContractQuery, today: date
) -> list[Any]:
    """Contracts of the organisation, oldest first, with the payer's name."""
    statement = (
        select(contracts, payers.c.name.label("payer_name"))
        .join(payers, payers.c.id == contracts.c.payer_id)
        .where(contracts.c.organization_id == organization_id)
    )
    for condition in _conditions(query, today):
        statement = statement.where(condition)
    statement = statement.order_by(contracts.c.created_at, contracts.c.id).limit(query.limit)
    return list((await session.execute(statement)).all())


def _conditions(query: ContractQuery, today: date) -> list[Any]:
    conditions: list[Any] = []
    if query.payer_id:
        conditions.append(contracts.c.payer_id == query.payer_id)
    if query.status:
        conditions.append(contracts.c.status == query.status)
    if query.expiring_within_days is not None:
        until = today + timedelta(days=query.expiring_within_days)
        conditions.append(contracts.c.termination_date.between(today, until))
    if query.text:
        pattern = f"%{_escape(query.text.lower())}%"
        conditions.append(
            or_(
                func.lower(contracts.c.name).like(pattern, escape="\\"),
                func.lower(payers.c.name).like(pattern, escape="\\"),
            )
        )
    if query.after is not None:
        created, contract_id = query.after
        conditions.append(
            or_(
                contracts.c.created_at > created,
                and_(contracts.c.created_at == created, contracts.c.id > contract_id),
            )
        )
    return conditions


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
