"""Use cases of signing people in with the organisation's identity provider."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from accord_common.auth import ALL_SCOPES, Principal
from accord_common.errors import NotFound
from accord_common.uow import UnitOfWork

from contract_registry.adapters.identity_provider_repository import IdentityProviderRepository
from contract_registry.adapters.oidc_verifier import OidcVerifier
from contract_registry.domain.sign_in import (
    IdentityProvider,
    SignedInPerson,
    SignInRefused,
    identity_provider,
    person_for,
)
from contract_registry.handlers.common import audit, utcnow

# Issues the person's key for one session: (organisation, person, expires at) -> (key id, raw key).
PersonalKeyIssuer = Callable[[UnitOfWork, str, SignedInPerson, datetime], Awaitable[tuple[str, str]]]


def provider_view(provider: IdentityProvider) -> dict[str, Any]:
    view = asdict(provider)
    view["scopes_by_group"] = {group: sorted(scopes) for group, scopes in provider.scopes_by_group.items()}
    return view


async def set_identity_provider(uow: UnitOfWork, who: Principal, setting: dict[str, Any]) -> IdentityProvider:
    """Trust an identity provider for the caller's organisation (replaces the one held)."""
    provider = identity_provider(known_scopes=ALL_SCOPES, **setting)
    now = utcnow()
    async with uow:
        await IdentityProviderRepository(uow.session, who.organization_id).put(provider, now)
        await audit(
            uow,
            who,
            "identity_provider.set",
            entity="identity_provider",
            entity_id=who.organization_id,
            changes=provider_view(provider),
            at=now,
        )
        await uow.commit()
    return provider


async def read_identity_provider(uow: UnitOfWork, organization_id: str) -> IdentityProvider:
    async with uow:
        provider = await IdentityProviderRepository(uow.session, organization_id).get()
    if provider is None:
        raise NotFound("the organisation trusts no identity provider yet: PUT /v1/identity-provider")
    return provider


async def sign_in_with_id_token(
    uow: UnitOfWork,
    verifier: OidcVerifier,
    issue: PersonalKeyIssuer,
    who: Principal,
    id_token: str,
    nonce: str,
) -> tuple[SignedInPerson, str, str, datetime]:
    """Verify the person's ID token against the organisation's provider and issue them a key for
    one session: (person, key id, raw key, expires at)."""
    provider = await read_identity_provider(uow, who.organization_id)
    if not provider.enabled:
        raise SignInRefused("sign-in with the identity provider is switched off for this organisation")
    claims = await verifier.verify(provider, id_token, nonce)
    person = person_for(provider, claims)
    now = utcnow()
    expires_at = now + timedelta(hours=provider.session_hours)
    async with uow:
        key_id, raw_key = await issue(uow, who.organization_id, person, expires_at)
        changes = {"key_id": key_id, "scopes": sorted(person.scopes), "expires_at": expires_at.isoformat()}
        await audit(uow, who, "person.signed_in", entity="api_key", entity_id=key_id, changes=changes, at=now)
        await uow.commit()
    return person, key_id, raw_key, expires_at
