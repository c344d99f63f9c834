"""Contracts and their versions: load and save the aggregate, scoped to one organisation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from types import SimpleNamespace
from typing import Any

from accord_common.errors import NotFound
from accord_common.wakeups import ring_on_commit
from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from contract_registry.adapters.contract_cache import DECODED
from contract_registry.adapters.contract_codec import (
    DecodedParts,
    assemble_contract,
    contract_from_rows,
    decision_to_json,
    decode_parts,
    stored_versions,
    terms_from_json,
    terms_to_json,
)
from contract_registry.adapters.contract_views import CONTRACTS
from contract_registry.adapters.orm import contract_versions, contracts
from contract_registry.domain import (
    Contract,
    ContractStatus,
    ContractVersion,
    version_from_dict,
    version_to_dict,
)


@dataclass(frozen=True, slots=True)
class _Locked:
    """What the table holds for a contract this repository read under lock: its versions by number
    (the very objects decoded) and whether they are stored as proposals."""

    versions: dict[int, ContractVersion]
    proposed: bool


# a contract's row, of one organisation: built once, values bound per call (the every-request read
# of the as-of view spent more building the statement than running it)
_ROW = select(contracts).where(
    contracts.c.id == bindparam("wanted"), contracts.c.organization_id == bindparam("org")
)
_ROW_FOR_UPDATE = _ROW.with_for_update()

# the writes of a change, built once too: the values are bound per call (a statement built with
# `.values(**row)` or `.where(col == value)` on every call cost more to construct and cache-key than
# to run). The where-clause parameters are named apart from the columns the statement sets.
_VERSION_ROWS = (
    select(contract_versions)
    .where(contract_versions.c.contract_id == bindparam("wanted"))
    .order_by(contract_versions.c.number)
)
_INSERT_CONTRACT = insert(contracts)
_UPDATE_CONTRACT = update(contracts).where(
    contracts.c.id == bindparam("wanted"), contracts.c.organization_id == bindparam("org")
)
_INSERT_VERSION = insert(contract_versions)
_UPDATE_VERSION = update(contract_versions).where(
    contract_versions.c.contract_id == bindparam("wanted"),
    contract_versions.c.number == bindparam("version_number"),
)
_DELETE_VERSIONS_AFTER = delete(contract_versions).where(
    contract_versions.c.contract_id == bindparam("wanted"),
    contract_versions.c.number > bindparam("last_number"),
)


class ContractRepository:
    def __init__(self, session: AsyncSession, organization_id: str) -> None:
        self.session = session
        self.org = organization_id
        self._locked: dict[str, _Locked] = {}
        self._names: dict[str, str] = {}  # of the contracts read under lock, as this repository left them

    async def row(self, contract_id: str, *, for_update: bool = False) -> Any:
        """The contract's row; another organisation's contract is simply not found."""
        query = _ROW_FOR_UPDATE if for_update else _ROW
        row = (await self.session.execute(query, {"wanted": contract_id, "org": self.org})).first()
        if row is None:
            raise NotFound(f"contract {contract_id} not found")
        return row

    async def get(self, contract_id: str, *, for_update: bool = False) -> Contract:
        """The aggregate, to change and save. Read `for_update` (the row locked), its decoded versions
        come from this process's cache for the row's state (frozen values, shared safely), and
        `save` then writes only the versions that are not the very ones read."""
        row = await self.row(contract_id, for_update=for_update)
        if not for_update:
            return contract_from_rows(row, await self.version_rows(contract_id))
        parts = await self._decoded(row)
        self._names[contract_id] = row.name
        self._locked[contract_id] = _Locked({v.number: v for v in parts[1]}, _is_proposed(row.status))
        return assemble_contract(row, parts)

    async def name(self, contract_id: str) -> str:
        """The contract's name: as read under lock by this repository (and kept or set by `save`),
        without reading it again; otherwise read."""
        known = self._names.get(contract_id)
        if known is not None:
            return known
        name: str = (await self.row(contract_id)).name
        return name

    async def read(self, contract_id: str) -> tuple[Any, Contract]:
        """For views: the contract's row and the aggregate, its versions decoded once per process
        for each state of the contract (adapters/contract_cache.py). Not for changing it."""
        row = await self.row(contract_id)
        return row, assemble_contract(row, await self._decoded(row))

    async def _decoded(self, row: Any) -> DecodedParts:
        parts = DECODED.get(row)
        if parts is None:
            parts = decode_parts(row, await self.version_rows(row.id))
            DECODED.put(row, parts)
        return parts

    async def version_rows(self, contract_id: str) -> list[Any]:
        return list((await self.session.execute(_VERSION_ROWS, {"wanted": contract_id})).all())

    async def add(self, contract: Contract, *, name: str, actor: str, now: datetime) -> None:
        ring_on_commit(self.session, CONTRACTS)  # the answers kept by adapters/contract_views.py
        await self.session.execute(
            _INSERT_CONTRACT,
            {
                "id": contract.id,
                "organization_id": self.org,
                "payer_id": contract.payer_id,
                "name": name,
                "required_approver_roles": sorted(contract.required_approver_roles),
                "created_at": now,
                **self._state(contract, now.date()),
                "updated_at": now,
            },
        )
        await self._write_versions(contract, actor, now)

    async def save(self, contract: Contract, *, actor: str, now: datetime, name: str | None = None) -> None:
        ring_on_commit(self.session, CONTRACTS)  # the answers kept by adapters/contract_views.py
        renamed = {"name": name} if name is not None else {}
        if name is not None and contract.id in self._names:
            self._names[contract.id] = name
        state = self._state(contract, now.date())
        await self.session.execute(
            _UPDATE_CONTRACT,
            {**state, **renamed, "updated_at": now, "wanted": contract.id, "org": self.org},
        )
        written = await self._write_versions(contract, actor, now)
        if written is not None:
            key = SimpleNamespace(
                id=contract.id,
                organization_id=self.org,
                revision=contract.revision,
                status=state["status"],
                updated_at=now,
            )
            DECODED.put(key, (terms_from_json(state["draft_terms"]), written))

    def _state(self, contract: Contract, today: date) -> dict[str, Any]:
        latest = stored_versions(contract, today)[-1]
        return {
            "status": contract.status.value,
            "line_of_business": contract.line_of_business.value,
            "plan_ids": list(contract.plan_ids),
            "scope": contract.scope.to_dict(),
            "draft_terms": terms_to_json(contract.draft_terms),
            "approvals": [decision_to_json(d) for d in contract.approvals],
            "rejections": [decision_to_json(d) for d in contract.rejections],
            "current_version": latest.number,
            "termination_date": latest.terms.termination_date,
            "revision": contract.revision,
            "submitted_by_key_id": contract.submitted_by,
        }

    async def _write_versions(
        self, contract: Contract, actor: str, now: datetime
    ) -> tuple[ContractVersion, ...] | None:
        """Insert new versions, restate changed ones (an end date, activation); drop withdrawn ones.
        For a contract read under lock, a version that is the very object read is left as it is (and
        no delete is sent when no stored number is past the last version), and
        the versions as now stored are returned, those written decoded back from what was written
        (so they equal what a fresh read decodes); otherwise the rows are read and compared."""
        versions = stored_versions(contract, now.date())
        proposed = not contract.versions
        locked = self._locked.pop(contract.id, None)
        held = {row.number: row for row in await self.version_rows(contract.id)} if locked is None else {}
        stored: list[ContractVersion] = []
        for version in versions:
            if (
                locked is not None
                and locked.proposed == proposed
                and locked.versions.get(version.number) is version
            ):
                stored.append(version)
                continue
            values = _version_values(version, proposed)
            stored.append(version_from_dict(values["data"]))
            row = held.get(version.number)
            if row is None and (locked is None or version.number not in locked.versions):
                await self.session.execute(
                    _INSERT_VERSION,
                    {"contract_id": contract.id, "created_at": now, "created_by": actor, **values},
                )
            elif row is None or row.data != values["data"] or row.proposed != proposed:
                await self.session.execute(
                    _UPDATE_VERSION, {**values, "wanted": contract.id, "version_number": version.number}
                )
        # a withdrawn version's row goes; read under lock, the numbers stored are known already
        if locked is None or max(locked.versions, default=0) > len(versions):
            await self.session.execute(
                _DELETE_VERSIONS_AFTER, {"wanted": contract.id, "last_number": len(versions)}
            )
        return tuple(stored) if locked is not None else None


def _is_proposed(status: str) -> bool:
    """Versions are stored as proposals until the contract is active (as assemble_contract reads them)."""
    return ContractStatus(status) in (ContractStatus.DRAFT, ContractStatus.IN_REVIEW, ContractStatus.APPROVED)


def _version_values(version: ContractVersion, proposed: bool) -> dict[str, Any]:
    return {
        "number": version.number,
        "proposed": proposed,
        "effective_from": version.effective_from,
        "effective_to": version.effective_to,
        "retroactive": version.retroactive,
        "payer_initiated": version.payer_initiated,
        "objection_window_days": version.objection_window_days,
        "data": version_to_dict(version),
    }
