"""Verifying an ID token against the issuer's published keys (OpenID Connect Discovery + JWKS).

joserfc (by the author of Authlib, maintained, typed) checks the signature and the registered
claims; this adapter fetches the issuer's discovery document and key set over https and caches the
key set for ten minutes, fetching it again once when a token names a key it does not hold (key
rotation).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from contract_registry.domain.sign_in import IdentityProvider

SIGNING_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA")
KEYS_FOR_SECONDS = 600.0
LEEWAY_SECONDS = 60


class IdTokenRefused(Exception):
    """The token is not one the organisation's provider issued for the console, or has expired."""


class OidcVerifier:
    def __init__(self, client: httpx.AsyncClient, clock: Callable[[], float] = time.time) -> None:
        self._client = client
        self._clock = clock
        self._keys: dict[str, tuple[float, KeySet]] = {}

    async def verify(self, provider: IdentityProvider, id_token: str, nonce: str) -> dict[str, Any]:
        """The token's claims once its signature, issuer, audience, expiry and nonce hold."""
        keys = await self._key_set(provider.issuer, refresh=False)
        try:
            token = jwt.decode(id_token, keys, algorithms=list(SIGNING_ALGORITHMS))
        except (ValueError, JoseError) as exc:
            if "kid" not in str(exc).lower() and "key" not in str(exc).lower():
                raise IdTokenRefused(f"the ID token is not valid: {exc}") from None
            try:  # the issuer may have rotated its keys since they were fetched
                token = jwt.decode(id_token, await self._key_set(provider.issuer, refresh=True))
            except (ValueError, JoseError) as again:
                raise IdTokenRefused(f"the ID token is not valid: {again}") from None
        registry = jwt.JWTClaimsRegistry(
            now=int(self._clock()),
            leeway=LEEWAY_SECONDS,
            iss={"essential": True, "value": provider.issuer},
            aud={"essential": True, "value": provider.client_id},
            exp={"essential": True},
            sub={"essential": True},
            nonce={"essential": True, "value": nonce},
        )
        try:
            registry.validate(token.claims)
        except JoseError as exc:
            raise IdTokenRefused(f"the ID token is not valid: {exc}") from None
        return dict(token.claims)

    async def _key_set(self, issuer: str, *, refresh: bool) -> KeySet:
        held = self._keys.get(issuer)
        if held and not refresh and self._clock() - held[0] < KEYS_FOR_SECONDS:
            return held[1]
        try:
            discovery = (
                await self._client.get(f"{issuer}/.well-known/openid-configuration")
            ).raise_for_status()
            document = discovery.json()
            if str(document.get("issuer", "")).rstrip("/") != issuer:
                raise IdTokenRefused("the provider's discovery document names another issuer")
            published = (await self._client.get(str(document["jwks_uri"]))).raise_for_status().json()
            keys = KeySet.import_key_set(published)
        except (httpx.HTTPError, ValueError, KeyError) as exc:
            raise IdTokenRefused(f"the provider's keys could not be read ({type(exc).__name__})") from None
        self._keys[issuer] = (self._clock(), keys)
        return keys
