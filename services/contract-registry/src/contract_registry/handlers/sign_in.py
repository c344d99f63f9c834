"""Use cases of signing people in with the organisation's identity provider."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from datetime import timedelta
from typing import Any

from accord_common.auth import ALL_SCOPES, Principal
from accord_common.errors import NotFound
from accord_common.uow import UnitOfWork

from contract_registry.adapters.api_key_repository import ApiKeyRepository
from contract_registry.adapters.identity_provider_repository import IdentityProviderRepository
from contract_registry.adapters.oidc_verifier import OidcVerifier
from contract_registry.domain.api_keys import ApiKey, Issuer
from contract_registry.domain.errors import ApiKeyRefused
from contract_registry.domain.sign_in import (
    IdentityProvider,
    SignedInPerson,
    SignInRefused,
    identity_provider,
    person_for,
)
from contract_registry.handlers.api_keys import new_secret, publish_key_changes
from contract_registry.handlers.common import audit, utcnow


@dataclass(frozen=True, slots=True)
class SignedIn:
    person: SignedInPerson
    key: ApiKey
    raw_key: str


def provider_view(provider: IdentityProvider) -> dict[str, Any]:
    view = asdict(provider)
    view["scopes_by_group"] = {group: sorted(scopes) for group, scopes in provider.scopes_by_group.items()}
    return view


async def set_identity_provider(uow: UnitOfWork, who: Principal, setting: dict[str, Any]) -> IdentityProvider:
    """Trust an identity provider for the caller's organisation (replaces the one held)."""
    provider = identity_provider(known_scopes=ALL_SCOPES, **setting)
    mapped = frozenset().union(*provider.scopes_by_group.values())
    if beyond := Issuer(who.key_id, who.scopes).may_grant(mapped):
        raise ApiKeyRefused(
            "scopes_by_group", f"your key cannot grant {', '.join(sorted(beyond))}: map only scopes you hold"
        )
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
    uow: UnitOfWork, verifier: OidcVerifier, who: Principal, id_token: str, nonce: str
) -> SignedIn:
    """Verify the person's ID token against the organisation's provider and issue them a key for
    one session, with the scopes their groups grant: the administrator who mapped the groups is
    the authority for those scopes, the console's key (`who`) only carries the token. The key
    reaches every service as api_key.issued, like any other."""
    provider = await read_identity_provider(uow, who.organization_id)
    if not provider.enabled:
        raise SignInRefused("sign-in with the identity provider is switched off for this organisation")
    claims = await verifier.verify(provider, id_token, nonce)
    person = person_for(provider, claims)
    secret, raw_key = new_secret()
    now = utcnow()
    key = ApiKey.issue(
        id=str(uuid.uuid4()),
        organization_id=who.organization_id,
        name=person.display_name,
        secret=secret,
        scopes=person.scopes,
        issuer=Issuer(who.key_id, person.scopes),
        now=now,
        expires_at=now + timedelta(hours=provider.session_hours),
    )
    async with uow:
        await ApiKeyRepository(uow.session, who.organization_id).add(key)
        changes = {"subject": person.subject, "scopes": sorted(person.scopes), "expires_at": _iso(key)}
        await audit(uow, who, "person.signed_in", entity="api_key", entity_id=key.id, changes=changes, at=now)
        publish_key_changes(uow, key)
        await uow.commit()
    return SignedIn(person, key, raw_key)


async def sign_out(uow: UnitOfWork, who: Principal) -> None:
    """End the caller's own session: its key is revoked on every service (api_key.revoked)."""
    now = utcnow()
    async with uow:
        repo = ApiKeyRepository(uow.session, who.organization_id)
        key = await repo.get(who.key_id, for_update=True)
        key.revoke(now)
        await repo.save(key)
        await audit(uow, who, "person.signed_out", entity="api_key", entity_id=key.id, changes={}, at=now)
        publish_key_changes(uow, key)
        await uow.commit()


def _iso(key: ApiKey) -> str | None:
    return key.expires_at.isoformat() if key.expires_at else None
