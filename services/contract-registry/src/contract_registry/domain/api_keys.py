"""API keys as the registry (the key authority) manages them: issue, rotate, expire, revoke.

The key's secret never reaches the domain: the handler generates it and hands in its prefix and
hash. A key records what happened to it (KeyChange); the handler publishes each as its event.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from .errors import ApiKeyEnded, ApiKeyRefused

MAX_OVERLAP = timedelta(days=7)
ALL_SCOPES_HOLDER = "admin"


class KeyChange(StrEnum):
    ISSUED = "api_key.issued"
    REVOKED = "api_key.revoked"
    EXPIRY_CHANGED = "api_key.expiry_changed"


class KeyStatus(StrEnum):
    ACTIVE = "active"
    EXPIRED = "expired"
    REVOKED = "revoked"


@dataclass(frozen=True, slots=True)
class Issuer:
    """Who issues: their key id and scopes (a key can grant only scopes its issuer holds)."""

    key_id: str
    scopes: frozenset[str]

    def may_grant(self, scopes: frozenset[str]) -> frozenset[str]:
        """The scopes among `scopes` this issuer may not grant."""
        if ALL_SCOPES_HOLDER in self.scopes:
            return frozenset()
        return scopes - self.scopes


@dataclass(frozen=True, slots=True)
class KeySecret:
    prefix: str
    key_hash: str


@dataclass(slots=True, eq=False)
class ApiKey:
    id: str
    organization_id: str
    name: str
    secret: KeySecret
    scopes: frozenset[str]
    holder_id: str
    issued_at: datetime
    issued_by_key_id: str | None = None
    expires_at: datetime | None = None
    revoked_at: datetime | None = None
    rate_limit_per_minute: int | None = None
    rotated_from_key_id: str | None = None
    last_used_at: datetime | None = None
    revision: int = 0
    changes: list[KeyChange] = field(default_factory=list)

    @classmethod
    def issue(
        cls,
        *,
        id: str,
        organization_id: str,
        name: str,
        secret: KeySecret,
        scopes: frozenset[str],
        issuer: Issuer,
        now: datetime,
        expires_at: datetime | None = None,
        rate_limit_per_minute: int | None = None,
    ) -> ApiKey:
        """A new key for a colleague of the issuer; records ISSUED."""
        _check_grant(issuer, scopes)
        _check_future("expires_at", expires_at, now)
        if not name.strip():
            raise ApiKeyRefused("name", "say who holds the key (e.g. 'Dana Lee, contracting')")
        key = cls(
            id=id,
            organization_id=organization_id,
            name=name.strip(),
            secret=secret,
            scopes=scopes,
            holder_id=id,
            issued_at=now,
            issued_by_key_id=issuer.key_id,
            expires_at=expires_at,
            rate_limit_per_minute=rate_limit_per_minute,
        )
        key._record(KeyChange.ISSUED)
        return key

    def status(self, now: datetime) -> KeyStatus:
        if self.revoked_at is not None:
            return KeyStatus.REVOKED
        if self.expires_at is not None and self.expires_at <= now:
            return KeyStatus.EXPIRED
        return KeyStatus.ACTIVE

    def rotate(
        self, *, new_id: str, secret: KeySecret, issuer: Issuer, now: datetime, overlap: timedelta
    ) -> ApiKey:
        """A new key for the same holder, scopes and limit; this one stops working after `overlap`
        (0: at once), so the holder can swap keys without an outage."""
        self._require_usable(now)
        if not timedelta(0) <= overlap <= MAX_OVERLAP:
            raise ApiKeyRefused(
                "overlap_seconds", f"must be between 0 and {int(MAX_OVERLAP.total_seconds())}"
            )
        _check_grant(issuer, self.scopes)
        successor = ApiKey(
            id=new_id,
            organization_id=self.organization_id,
            name=self.name,
            secret=secret,
            scopes=self.scopes,
            holder_id=self.holder_id,
            issued_at=now,
            issued_by_key_id=issuer.key_id,
            expires_at=self.expires_at,
            rate_limit_per_minute=self.rate_limit_per_minute,
            rotated_from_key_id=self.id,
        )
        successor._record(KeyChange.ISSUED)
        self.expire(now + overlap, now)
        return successor

    def expire(self, at: datetime, now: datetime) -> None:
        """Stop accepting the key from `at` (now or later; never extends an expiry already passed)."""
        self._require_usable(now)
        if at < now:
            raise ApiKeyRefused("expires_at", "must be now or later (a key cannot expire in the past)")
        self.expires_at = at
        self._record(KeyChange.EXPIRY_CHANGED)

    def revoke(self, now: datetime) -> None:
        if self.revoked_at is not None:
            raise ApiKeyEnded(f"API key {self.id} was revoked at {self.revoked_at.isoformat()}")
        self.revoked_at = now
        self._record(KeyChange.REVOKED)

    def drain_changes(self) -> list[KeyChange]:
        drained, self.changes = self.changes, []
        return drained

    def _require_usable(self, now: datetime) -> None:
        if self.revoked_at is not None:
            raise ApiKeyEnded(f"API key {self.id} is revoked")
        if self.expires_at is not None and self.expires_at <= now:
            raise ApiKeyEnded(f"API key {self.id} expired at {self.expires_at.isoformat()}")

    def _record(self, change: KeyChange) -> None:
        self.revision += 1
        self.changes.append(change)


def _check_grant(issuer: Issuer, scopes: frozenset[str]) -> None:
    if not scopes:
        raise ApiKeyRefused("scopes", "name at least one scope")
    beyond = issuer.may_grant(scopes)
    if beyond:
        raise ApiKeyRefused(
            "scopes",
            f"your key cannot grant {', '.join(sorted(beyond))}: a key grants only scopes its issuer holds",
        )


def _check_future(name: str, at: datetime | None, now: datetime) -> None:
    if at is not None and at <= now:
        raise ApiKeyRefused(name, "must be in the future")
