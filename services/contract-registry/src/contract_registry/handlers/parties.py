"""Payers (and their plans) and the organisation's own profile."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from accord_common.auth import Principal
from accord_common.errors import Conflict
from accord_common.uow import UnitOfWork

from contract_registry.adapters.party_repository import PartyRepository
from contract_registry.adapters.reference import medicare_localities
from contract_registry.domain import (
    InvalidField,
    InvalidParty,
    Location,
    MedicareLocality,
    Npi,
    NpiType,
    OrganisationProfile,
    Tin,
)
from contract_registry.handlers.common import audit, changed, utcnow
from contract_registry.handlers.organisation_events import organisation_event

T = TypeVar("T")


def _with_plan_ids(plans: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**plan, "id": plan.get("id") or str(uuid.uuid4())} for plan in plans]


async def create_payer(uow: UnitOfWork, who: Principal, payer: dict[str, Any]) -> str:
    payer_id, now = str(uuid.uuid4()), utcnow()
    values = {**payer, "plans": _with_plan_ids(payer.get("plans") or [])}
    async with uow:
        await PartyRepository(uow.session, who.organization_id).add_payer(
            {"id": payer_id, "created_at": now, "updated_at": now, **values}
        )
        await audit(uow, who, "payer.created", entity="payer", entity_id=payer_id, changes=values, at=now)
        await uow.commit()
    return payer_id


async def update_payer(uow: UnitOfWork, who: Principal, payer_id: str, patch: dict[str, Any]) -> None:
    """Change the name, X12 id or plans (plans keep their ids; new plans get one)."""
    now = utcnow()
    async with uow:
        repo = PartyRepository(uow.session, who.organization_id)
        current = (await repo.payer(payer_id))._asdict()
        if "plans" in patch:
            patch = {**patch, "plans": _with_plan_ids(patch["plans"])}
        await repo.update_payer(payer_id, {**patch, "updated_at": now})
        diff = changed({k: current[k] for k in patch}, patch)
        await audit(uow, who, "payer.updated", entity="payer", entity_id=payer_id, changes=diff, at=now)
        await uow.commit()


async def delete_payer(uow: UnitOfWork, who: Principal, payer_id: str) -> None:
    """Refused while a contract names the payer (the contract's history must keep its party)."""
    now = utcnow()
    async with uow:
        repo = PartyRepository(uow.session, who.organization_id)
        payer = await repo.payer(payer_id)
        if count := await repo.contracts_with_payer(payer_id):
            raise Conflict(f"payer {payer_id} has {count} contract(s): it cannot be deleted")
        await repo.delete_payer(payer_id)
        changes = {"name": payer.name}
        await audit(uow, who, "payer.deleted", entity="payer", entity_id=payer_id, changes=changes, at=now)
        await uow.commit()


def _each(field: str, items: list[dict[str, Any]], build: Callable[[dict[str, Any]], T]) -> tuple[T, ...]:
    """Build each item; a refusal names the item (npis[1].npi)."""
    built = []
    for index, item in enumerate(items):
        try:
            built.append(build(item))
        except InvalidField as refused:
            raise InvalidParty(f"{field}[{index}].{refused.field}", refused.message)
    return tuple(built)


def _location(item: dict[str, Any]) -> Location:
    locality = item["medicare_locality"]
    return Location(
        item["name"],
        item.get("address", ""),
        MedicareLocality(locality["mac"], locality["locality"]),
        npis=tuple(item.get("npis") or ()),
        zip_code=item.get("zip_code"),
        cbsa=item.get("cbsa"),
    )


def profile_from_command(command: dict[str, Any]) -> OrganisationProfile:
    """The domain checks NPIs (Luhn), TINs, role names and each location's Medicare locality."""
    profile = OrganisationProfile(
        name=command["name"],
        tins=_each("tins", command.get("tins", []), lambda t: Tin(t["number"], t.get("name", ""))),
        npis=_each(
            "npis", command.get("npis", []), lambda n: Npi(n["number"], NpiType(n["type"]), n.get("name", ""))
        ),
        locations=_each("locations", command.get("locations", []), _location),
        required_approver_roles=frozenset(command.get("required_approver_roles", [])),
    )
    profile.check_localities(medicare_localities())
    return profile


async def save_profile(uow: UnitOfWork, who: Principal, command: dict[str, Any]) -> None:
    """Replace the caller's organisation profile (new contracts take its approver roles)."""
    profile = profile_from_command(command)
    now = utcnow()
    values = {
        "name": command["name"],
        "tins": command.get("tins", []),
        "npis": command.get("npis", []),
        "locations": command.get("locations", []),
        "required_approver_roles": sorted(set(command.get("required_approver_roles", []))),
        "distinct_approvers": bool(command.get("distinct_approvers", True)),
    }
    async with uow:
        repo = PartyRepository(uow.session, who.organization_id)
        before = await repo.profile()
        await repo.save_profile(values, now)
        old = {k: getattr(before, k) for k in values} if before else {}
        diff = changed(old, values)
        org = who.organization_id
        await audit(
            uow, who, "organisation.updated", entity="organisation", entity_id=org, changes=diff, at=now
        )
        uow.publish(organisation_event(org, profile))
        await uow.commit()
