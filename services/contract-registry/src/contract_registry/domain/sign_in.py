"""Signing people in with the organisation's identity provider (OpenID Connect).

The organisation names the provider it trusts (its issuer and the client id the console is
registered under) and which of the provider's groups grant which Accord scopes. A person whose
ID token the provider signed gets the scopes of their groups, never more, for one session.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from contract_registry.domain.errors import DomainError, InvalidField

LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
MAX_SESSION_HOURS = 24


class SignInRefused(DomainError):
    """The person cannot be signed in: their groups grant no scope, or no provider is configured."""


@dataclass(frozen=True, slots=True)
class IdentityProvider:
    """The provider an organisation trusts and how its groups map to Accord scopes."""

    issuer: str
    client_id: str
    scopes_by_group: Mapping[str, frozenset[str]]
    groups_claim: str = "groups"
    session_hours: int = 8
    enabled: bool = True

    def scopes_for(self, claims: Mapping[str, Any]) -> frozenset[str]:
        """The scopes the person's groups (the ID token's groups claim) grant."""
        groups = claims.get(self.groups_claim) or ()
        if isinstance(groups, str):
            groups = (groups,)
        if not isinstance(groups, list | tuple):
            return frozenset()
        granted: set[str] = set()
        for group in groups:
            granted |= self.scopes_by_group.get(str(group), frozenset())
        return frozenset(granted)


@dataclass(frozen=True, slots=True)
class SignedInPerson:
    """Who the provider vouched for and what Accord lets them do."""

    subject: str
    display_name: str
    scopes: frozenset[str] = field(default_factory=frozenset)


def person_for(provider: IdentityProvider, claims: Mapping[str, Any]) -> SignedInPerson:
    """The person an ID token's (verified) claims name, with their scopes; refused without any."""
    subject = str(claims.get("sub") or "")
    if not subject:
        raise SignInRefused("the ID token names no subject (sub)")
    scopes = provider.scopes_for(claims)
    if not scopes:
        raise SignInRefused(
            f"none of this person's groups ({provider.groups_claim!r} claim) is mapped to an Accord scope"
        )
    name = str(claims.get("email") or claims.get("name") or claims.get("preferred_username") or subject)
    return SignedInPerson(
        subject, f"{name[:150]} (signed in with {urlsplit(provider.issuer).netloc})", scopes
    )


def identity_provider(
    *,
    issuer: str,
    client_id: str,
    scopes_by_group: Mapping[str, Collection[str]],
    known_scopes: Collection[str],
    groups_claim: str = "groups",
    session_hours: int = 8,
    enabled: bool = True,
) -> IdentityProvider:
    """A provider setting, checked: an https issuer (http only on this machine), known scopes."""
    parts = urlsplit(issuer)
    if parts.scheme != "https" and not (parts.scheme == "http" and parts.hostname in LOCAL_HOSTS):
        raise InvalidField("issuer", "must be an https URL (http only for localhost during development)")
    if parts.query or parts.fragment:
        raise InvalidField("issuer", "must not carry a query or fragment")
    if not client_id.strip():
        raise InvalidField("client_id", "must not be empty")
    if not 1 <= session_hours <= MAX_SESSION_HOURS:
        raise InvalidField("session_hours", f"must be between 1 and {MAX_SESSION_HOURS}")
    mapped: dict[str, frozenset[str]] = {}
    for group, scopes in scopes_by_group.items():
        unknown = sorted(set(scopes) - set(known_scopes))
        if unknown:
            raise InvalidField(f"scopes_by_group[{group}]", f"unknown scope(s): {', '.join(unknown)}")
        mapped[group] = frozenset(scopes)
    return IdentityProvider(
        issuer.rstrip("/"), client_id.strip(), mapped, groups_claim, session_hours, enabled
    )
