"""A real OpenID Connect provider for tests (oidc-provider-mock: Authlib's server behind a small
Flask app, in a thread), and the authorization code flow a browser would walk, done with httpx."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import httpx


@dataclass(frozen=True)
class IdentityProvider:
    issuer: str

    def add_person(self, subject: str, **claims: Any) -> None:
        """Register a person with the ID token claims the provider will state (email, groups ...)."""
        answer = httpx.put(f"{self.issuer}/users/{quote(subject, safe='')}", json=claims, timeout=10)
        answer.raise_for_status()

    def id_token(
        self, subject: str, client_id: str, nonce: str, redirect_uri: str = "http://console/cb"
    ) -> str:
        """Sign the person in at the provider (its form, posted) and redeem the code: the ID token."""
        query = {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "scope": "openid email profile",
            "state": secrets.token_urlsafe(8),
            "nonce": nonce,
        }
        with httpx.Client(base_url=self.issuer, timeout=10) as client:
            answer = client.post("/oauth2/authorize", params=query, data={"sub": subject})
            location = answer.headers.get("location", "")
            code = parse_qs(urlsplit(location).query).get("code", [""])[0]
            if not code:
                raise AssertionError(f"the provider gave no code: {answer.status_code} {location}")
            token = client.post(
                "/oauth2/token",
                data={
                    "grant_type": "authorization_code",
                    "code": code,
                    "redirect_uri": redirect_uri,
                    "client_id": client_id,
                    "client_secret": "any",
                },
            )
            token.raise_for_status()
            return str(token.json()["id_token"])


@contextmanager
def running_identity_provider() -> Iterator[IdentityProvider]:
    import oidc_provider_mock  # a test dependency only

    with oidc_provider_mock.run_server_in_thread() as server:
        yield IdentityProvider(f"http://localhost:{server.server_port}")
