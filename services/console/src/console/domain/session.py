"""A signed-in person's session: whose key, which organisation, what it may do, until when."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class StaffSession:
    api_key: str
    organization_id: str
    name: str
    scopes: frozenset[str]
    csrf_token: str
    expires_at: datetime
    signed_in_with: str = "api_key"  # or "oidc"

    def expired(self, now: datetime) -> bool:
        return now >= self.expires_at

    def csrf_matches(self, presented: str | None) -> bool:
        """Constant-time comparison of the form's token with the session's."""
        return bool(presented) and hmac.compare_digest(self.csrf_token, str(presented))
