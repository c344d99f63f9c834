"""Use cases of the registry: open a unit of work, apply the change, audit it, publish, commit."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from accord_common.auth import Principal
from accord_common.errors import Conflict
from accord_common.events import new_event
from accord_common.uow import UnitOfWork

from contract_registry.adapters.repository import RegistryRepository

SOURCE = "contract-registry"


async def create_payer(uow: UnitOfWork, who: Principal, payer: dict[str, Any]) -> str:
    payer_id = str(uuid.uuid4())
    async with uow:
        repo = RegistryRepository(uow.session, who.organization_id)
        await repo.add_payer({"id": payer_id, "created_at": datetime.now(UTC), **payer})
        await repo.audit(actor=who.name, action="payer.created", contract_id=None,
                         changes={"payer_id": payer_id, "name": payer["name"]})
        await uow.commit()
    return payer_id


async def create_contract(uow: UnitOfWork, who: Principal, body: dict[str, Any]) -> str:
    contract_id = str(uuid.uuid4())
    now = datetime.now(UTC)
    terms = {k: v for k, v in body.items() if k not in ("payer_id", "name", "line_of_business")}
    async with uow:
        repo = RegistryRepository(uow.session, who.organization_id)
        payer = await repo.get_payer(body["payer_id"])
        await repo.add_contract({
            "id": contract_id, "payer_id": payer.id, "name": body["name"], "status": "draft",
            "line_of_business": body.get("line_of_business"), "current_version": 1,
            "created_at": now, "updated_at": now,
        })
        version = _version_row(contract_id, 1, terms["effective_date"], terms, who, today=now.date())
        await repo.add_version(version)
        await repo.audit(actor=who.name, action="contract.created", contract_id=contract_id,
                         changes={"name": body["name"], "terms": _jsonable(terms)})
        contract = await repo.get_contract(contract_id)
        uow.publish(_version_event("contract.created", contract, payer, version))
        await uow.commit()
    return contract_id


async def amend_contract(uow: UnitOfWork, who: Principal, contract_id: str,
                         body: dict[str, Any]) -> int:
    """Add a version effective from `effective_from`; the previous one ends the day before."""
    effective_from: date = body["effective_from"]
    terms = {k: v for k, v in body.items() if k != "effective_from"}
    today = datetime.now(UTC).date()
    async with uow:
        repo = RegistryRepository(uow.session, who.organization_id)
        contract = await repo.get_contract(contract_id, for_update=True)
        history = await repo.versions(contract_id)
        latest = history[-1]
        if effective_from <= latest.effective_from:
            raise Conflict(
                f"effective_from {effective_from} overlaps version {latest.version} "
                f"(effective from {latest.effective_from}); a new version must start later"
            )
        number: int = latest.version + 1
        await repo.close_version(contract_id, latest.version, effective_from - timedelta(days=1))
        version = _version_row(contract_id, number, effective_from, terms, who, today=today)
        await repo.add_version(version)
        await repo.set_current_version(contract_id, number)
        await repo.audit(actor=who.name, action="contract.amended", contract_id=contract_id,
                         changes=_diff(latest.terms, version["terms"]) | {"version": number})
        payer = await repo.get_payer(contract.payer_id)
        contract = await repo.get_contract(contract_id)
        uow.publish(_version_event("contract.amended", contract, payer, version))
        await uow.commit()
    return number


def _version_row(contract_id: str, number: int, effective_from: date, terms: dict[str, Any],
                 who: Principal, *, today: date) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()), "contract_id": contract_id, "version": number,
        "effective_from": effective_from, "effective_to": None,
        "retroactive": number > 1 and effective_from < today, "terms": _jsonable(terms),
        "created_at": datetime.now(UTC), "created_by": who.name,
    }


def _jsonable(terms: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in terms.items()}


def _diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    keys = sorted(set(old) | set(new))
    return {k: {"old": old.get(k), "new": new.get(k)} for k in keys if old.get(k) != new.get(k)}


def _version_event(event_type: str, contract: Any, payer: Any, version: dict[str, Any]) -> Any:
    data = {
        "contract_id": contract.id, "organization_id": contract.organization_id,
        "payer_id": payer.id, "payer_name": payer.name, "status": contract.status,
        "version": version["version"], "effective_from": version["effective_from"],
        "effective_to": version["effective_to"], "retroactive": version["retroactive"],
        "terms": version["terms"],
    }
    return new_event(event_type, source=SOURCE, subject=contract.id, data=data,
                     organization_id=contract.organization_id)
