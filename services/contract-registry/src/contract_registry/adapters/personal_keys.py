"""A signed-in person's key for one session."""

from __future__ import annotations

from datetime import datetime

from accord_common.auth import issue_key, split_key
from accord_common.uow import UnitOfWork

from contract_registry.adapters.orm import metadata
from contract_registry.domain.sign_in import SignedInPerson


async def issue_personal_key(
    uow: UnitOfWork, organization_id: str, person: SignedInPerson, expires_at: datetime
) -> tuple[str, str]:
    """(key id, raw key) of a new key in the person's name with their scopes."""
    raw_key = await issue_key(
        uow.session,
        metadata,
        organization_id=organization_id,
        name=person.display_name,
        scopes=set(person.scopes),
    )
    return split_key(raw_key), raw_key
