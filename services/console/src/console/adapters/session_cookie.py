"""The session sealed (Fernet: encrypted, authenticated) in an HttpOnly cookie: no session store."""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime, timedelta

from cryptography.fernet import Fernet, InvalidToken

from console.domain.session import StaffSession

COOKIE_NAME = "accord_console"


class SessionSealer:
    def __init__(self, key: str, lifetime: timedelta) -> None:
        self._fernet = Fernet(key.encode())
        self._lifetime = lifetime

    def new(
        self, api_key: str, organization_id: str, name: str, scopes: list[str], now: datetime, how: str
    ) -> StaffSession:
        return StaffSession(
            api_key=api_key,
            organization_id=organization_id,
            name=name,
            scopes=frozenset(scopes),
            csrf_token=secrets.token_urlsafe(32),
            expires_at=now + self._lifetime,
            signed_in_with=how,
        )

    def seal(self, session: StaffSession) -> str:
        body = {
            "k": session.api_key,
            "o": session.organization_id,
            "n": session.name,
            "s": sorted(session.scopes),
            "c": session.csrf_token,
            "e": session.expires_at.isoformat(),
            "w": session.signed_in_with,
        }
        return self._fernet.encrypt(json.dumps(body).encode()).decode()

    def open(self, sealed: str | None, now: datetime | None = None) -> StaffSession | None:
        """The session in the cookie, or None when absent, tampered with or expired."""
        if not sealed:
            return None
        try:
            body = json.loads(self._fernet.decrypt(sealed.encode()))
            session = StaffSession(
                api_key=body["k"],
                organization_id=body["o"],
                name=body["n"],
                scopes=frozenset(body["s"]),
                csrf_token=body["c"],
                expires_at=datetime.fromisoformat(body["e"]),
                signed_in_with=body.get("w", "api_key"),
            )
        except (InvalidToken, ValueError, KeyError, TypeError):
            return None
        return None if session.expired(now or datetime.now(UTC)) else session
