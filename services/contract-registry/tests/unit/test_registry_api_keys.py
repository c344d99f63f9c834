"""API keys as the registry manages them: what may be granted, rotation overlap, expiry, revocation,
and the revision each change carries to the projections."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from accord_common.auth import ALL_SCOPES
from contract_registry.domain.api_keys import ApiKey, Issuer, KeyChange, KeySecret, KeyStatus
from contract_registry.domain.errors import ApiKeyEnded, ApiKeyRefused
from contract_registry.entrypoints.schemas.api_keys import ExpireIn, Scope
from pydantic import ValidationError

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
ADMIN = Issuer("admin-key", frozenset({"admin"}))
KEY_ADMIN = Issuer("key-admin", frozenset({"keys:admin", "contracts:read", "claims:read"}))


def issue(scopes: set[str], issuer: Issuer = ADMIN, **kwargs: object) -> ApiKey:
    return ApiKey.issue(
        id="k1",
        organization_id="org-a",
        name="Dana Lee",
        secret=KeySecret("abc123", "0" * 64),
        scopes=frozenset(scopes),
        issuer=issuer,
        now=NOW,
        **kwargs,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("issuer", "scopes", "refused"),
    [
        (ADMIN, {"contracts:approve", "claims:write"}, None),
        (ADMIN, {"admin"}, None),
        (KEY_ADMIN, {"contracts:read"}, None),
        (KEY_ADMIN, {"contracts:read", "claims:write"}, "cannot grant claims:write"),
        (KEY_ADMIN, {"admin"}, "cannot grant admin"),
        (ADMIN, set(), "at least one scope"),
    ],
)
def test_a_key_grants_only_scopes_its_issuer_holds(
    issuer: Issuer, scopes: set[str], refused: str | None
) -> None:
    if refused is None:
        key = issue(scopes, issuer)
        assert (key.scopes, key.issued_by_key_id, key.holder_id) == (frozenset(scopes), issuer.key_id, "k1")
        assert key.drain_changes() == [KeyChange.ISSUED]
        assert key.revision == 1
    else:
        with pytest.raises(ApiKeyRefused, match=refused):
            issue(scopes, issuer)


def test_an_expiry_must_be_in_the_future() -> None:
    with pytest.raises(ApiKeyRefused, match="expires_at: must be in the future"):
        issue({"claims:read"}, expires_at=NOW)
    assert issue({"claims:read"}, expires_at=NOW + timedelta(days=30)).status(NOW) is KeyStatus.ACTIVE


@pytest.mark.parametrize(
    ("overlap_s", "old_status_after_10_min"),
    [(0, KeyStatus.EXPIRED), (3600, KeyStatus.ACTIVE), (604_800, KeyStatus.ACTIVE)],
)
def test_rotation_gives_the_holder_a_new_key_and_ends_the_old_after_the_overlap(
    overlap_s: int, old_status_after_10_min: KeyStatus
) -> None:
    old = issue({"claims:read"}, rate_limit_per_minute=120)
    old.drain_changes()
    new = old.rotate(
        new_id="k2",
        secret=KeySecret("def456", "1" * 64),
        issuer=ADMIN,
        now=NOW,
        overlap=timedelta(seconds=overlap_s),
    )
    assert (new.holder_id, new.rotated_from_key_id, new.scopes) == ("k1", "k1", frozenset({"claims:read"}))
    assert new.rate_limit_per_minute == 120
    assert old.expires_at == NOW + timedelta(seconds=overlap_s)
    assert old.status(NOW + timedelta(minutes=10)) is old_status_after_10_min
    assert (old.drain_changes(), new.drain_changes()) == ([KeyChange.EXPIRY_CHANGED], [KeyChange.ISSUED])
    assert old.revision == 2


def test_rotation_overlap_is_at_most_a_week() -> None:
    with pytest.raises(ApiKeyRefused, match="overlap_seconds"):
        issue({"claims:read"}).rotate(
            new_id="k2", secret=KeySecret("d", "1" * 64), issuer=ADMIN, now=NOW, overlap=timedelta(days=8)
        )


def test_revocation_is_final() -> None:
    key = issue({"claims:read"})
    key.revoke(NOW)
    assert key.status(NOW) is KeyStatus.REVOKED
    assert key.revision == 2
    with pytest.raises(ApiKeyEnded):
        key.revoke(NOW + timedelta(seconds=1))
    with pytest.raises(ApiKeyEnded):
        key.expire(NOW + timedelta(days=1), NOW)
    with pytest.raises(ApiKeyEnded):
        key.rotate(new_id="k2", secret=KeySecret("d", "1" * 64), issuer=ADMIN, now=NOW, overlap=timedelta(0))


@pytest.mark.parametrize(
    ("at", "refused"),
    [(NOW, None), (NOW + timedelta(days=1), None), (NOW - timedelta(seconds=1), "cannot expire in the past")],
)
def test_expire_now_or_later(at: datetime, refused: str | None) -> None:
    key = issue({"claims:read"})
    if refused:
        with pytest.raises(ApiKeyRefused, match=refused):
            key.expire(at, NOW)
    else:
        key.expire(at, NOW)
        assert key.expires_at == at
        assert key.status(at) is KeyStatus.EXPIRED


def test_the_openapi_scope_enum_is_every_scope() -> None:
    assert set(Scope.__args__) == ALL_SCOPES


@pytest.mark.parametrize(
    ("expires_at", "accepted"),
    [
        ("2027-06-30T00:00:00Z", "2027-06-30T00:00:00+00:00"),
        ("2027-06-30T02:00:00+02:00", "2027-06-30T00:00:00+00:00"),
        ("0001-01-01T00:00:00+01:00", None),  # before year 1 in UTC: refused, not a 500
        ("9999-12-31T23:59:59-14:00", None),
        ("2027-06-30T00:00:00", None),  # no offset: ambiguous
    ],
)
def test_an_expiry_is_an_instant_stored_in_utc(expires_at: str, accepted: str | None) -> None:
    if accepted is None:
        with pytest.raises(ValidationError):
            ExpireIn.model_validate({"expires_at": expires_at})
    else:
        parsed = ExpireIn.model_validate({"expires_at": expires_at}).expires_at
        assert parsed is not None and parsed.isoformat() == accepted
