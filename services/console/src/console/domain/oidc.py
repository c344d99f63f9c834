"""The console's side of an OpenID Connect sign-in (authorization code flow with PKCE): what it
remembers between sending the person to the provider and their return, and the URL it sends them to."""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from urllib.parse import urlencode

REQUESTED_SCOPES = "openid email profile"


@dataclass(frozen=True, slots=True)
class PendingSignIn:
    """Held (sealed, in a short-lived cookie) while the person is at the provider."""

    state: str
    nonce: str
    code_verifier: str
    next_path: str

    def state_matches(self, presented: str | None) -> bool:
        return bool(presented) and hmac.compare_digest(self.state, str(presented))


def code_challenge(code_verifier: str) -> str:
    """PKCE S256 (RFC 7636): base64url(SHA-256(verifier)) without padding."""
    digest = hashlib.sha256(code_verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def authorization_url(endpoint: str, client_id: str, redirect_uri: str, pending: PendingSignIn) -> str:
    query = urlencode(
        {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "scope": REQUESTED_SCOPES,
            "state": pending.state,
            "nonce": pending.nonce,
            "code_challenge": code_challenge(pending.code_verifier),
            "code_challenge_method": "S256",
        }
    )
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"
