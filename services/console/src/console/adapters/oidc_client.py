"""The organisation's identity provider as the console talks to it: discovery, the token endpoint,
and the pending sign-in sealed in a short-lived cookie. The ID token itself is verified by the
contract registry (the authority for keys), which the console then asks for the person's key."""

from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass
from typing import Any

import httpx
from cryptography.fernet import Fernet, InvalidToken

from console.domain.oidc import PendingSignIn

PENDING_COOKIE = "accord_console_oidc"
PENDING_SECONDS = 600


class ProviderRefused(Exception):
    """The provider could not be reached or did not give an ID token."""


def new_pending(next_path: str) -> PendingSignIn:
    return PendingSignIn(
        state=secrets.token_urlsafe(24),
        nonce=secrets.token_urlsafe(24),
        code_verifier=secrets.token_urlsafe(48),
        next_path=next_path,
    )


class PendingSealer:
    def __init__(self, key: str) -> None:
        self._fernet = Fernet(key.encode())

    def seal(self, pending: PendingSignIn) -> str:
        return self._fernet.encrypt(json.dumps(asdict(pending)).encode()).decode()

    def open(self, sealed: str | None) -> PendingSignIn | None:
        if not sealed:
            return None
        try:
            return PendingSignIn(**json.loads(self._fernet.decrypt(sealed.encode(), ttl=PENDING_SECONDS)))
        except (InvalidToken, ValueError, TypeError):
            return None


@dataclass
class IdentityProviderClient:
    client: httpx.AsyncClient
    issuer: str
    client_id: str
    client_secret: str | None
    _discovery: dict[str, Any] | None = None

    async def endpoint(self, name: str) -> str:
        if self._discovery is None:
            try:
                answer = await self.client.get(f"{self.issuer.rstrip('/')}/.well-known/openid-configuration")
                answer.raise_for_status()
                self._discovery = dict(answer.json())
            except (httpx.HTTPError, ValueError) as exc:
                raise ProviderRefused(
                    f"the identity provider is not reachable ({type(exc).__name__})"
                ) from None
        value = self._discovery.get(name)
        if not isinstance(value, str):
            raise ProviderRefused(f"the identity provider publishes no {name}")
        return value

    async def id_token(self, code: str, redirect_uri: str, pending: PendingSignIn) -> str:
        """Redeem the authorization code (with the PKCE verifier) for the person's ID token."""
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "client_id": self.client_id,
            "code_verifier": pending.code_verifier,
        }
        if self.client_secret:  # client_secret_post: what every provider accepts
            form["client_secret"] = self.client_secret
        try:
            answer = await self.client.post(await self.endpoint("token_endpoint"), data=form)
            body = answer.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise ProviderRefused(
                f"the identity provider's token endpoint failed ({type(exc).__name__})"
            ) from None
        if answer.status_code != 200 or not isinstance(body, dict) or not body.get("id_token"):
            reason = body.get("error") if isinstance(body, dict) else None
            raise ProviderRefused(f"the identity provider gave no ID token ({reason or answer.status_code})")
        return str(body["id_token"])
