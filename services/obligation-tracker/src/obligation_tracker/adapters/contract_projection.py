"""The contract projection: the latest version of each contract as its events carried it, the hold
a contract version takes alone, and one locked read of a version's kept row with the latest."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BindParameter,
    Subquery,
    Table,
    bindparam,
    insert,
    literal_column,
    select,
    union_all,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from obligation_tracker.adapters.locks import hold_contract
from obligation_tracker.adapters.orm import contract_versions, contracts

_CONTRACT = select(contracts).where(contracts.c.contract_id == bindparam("contract_id"))
_CONTRACT_FOR_UPDATE = _CONTRACT.with_for_update()
_ADD_CONTRACT = insert(contracts)
_PUT_CONTRACT = update(contracts).where(contracts.c.contract_id == bindparam("held_id"))


def _locked(table: Table, held_as: str, *where: Any) -> Subquery:
    columns = (table.c.version, table.c.status, table.c.event_time, table.c.version_data)
    marked = select(literal_column(f"'{held_as}'").label("held_as"), *columns)
    return marked.where(*where).with_for_update().subquery(held_as)


_CONTRACT_ID: BindParameter[str] = bindparam("contract_id")
_KEPT_AND_LATEST = union_all(  # one read for two: each row locked as its own `get(for_update=True)` locks it
    select(
        _locked(
            contract_versions,
            "kept",
            contract_versions.c.contract_id == _CONTRACT_ID,
            contract_versions.c.version == bindparam("version"),
        )
    ),
    select(_locked(contracts, "latest", contracts.c.contract_id == _CONTRACT_ID)),
)


@dataclass(frozen=True)
class HeldVersions:
    """What the tracker holds of a contract when one of its versions arrives: that version's kept
    row and the latest version's (each None when not held yet; the columns `is_newer` reads)."""

    kept: Any
    latest: Any


class ContractProjection:
    """The latest version of each contract, as its events carried it."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def hold(self, contract_id: str, *, exclusive: bool) -> None:
        """Until the transaction ends: claims reading a contract share the hold, an arriving version
        takes it alone (see adapters/locks.py)."""
        await hold_contract(self.session, contract_id, exclusive=exclusive)

    async def get(self, contract_id: str, *, for_update: bool = False) -> Any:
        query = _CONTRACT_FOR_UPDATE if for_update else _CONTRACT
        return (await self.session.execute(query, {"contract_id": contract_id})).first()

    async def held(self, contract_id: str, version: int) -> HeldVersions:
        """The version's kept row and the latest, both locked for the update, in one statement."""
        rows = await self.session.execute(_KEPT_AND_LATEST, {"contract_id": contract_id, "version": version})
        found = {row.held_as: row for row in rows.all()}
        return HeldVersions(found.get("kept"), found.get("latest"))

    async def put(self, row: dict[str, Any], *, exists: bool) -> None:
        if exists:
            await self.session.execute(_PUT_CONTRACT, row | {"held_id": row["contract_id"]})
        else:
            await self.session.execute(_ADD_CONTRACT, row)
