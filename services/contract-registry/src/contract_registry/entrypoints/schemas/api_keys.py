"""API key management: what an administrator sends and sees (never a key's hash; the key once)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field


def _in_utc(at: datetime) -> datetime:
    """Stored in UTC; a year that cannot be (0001 with an offset east of UTC) is refused here, not later."""
    try:
        utc = at.astimezone(UTC)
    except OverflowError:
        raise ValueError("a time between the years 2000 and 9000") from None
    if not 2000 <= utc.year <= 9000:
        raise ValueError("a time between the years 2000 and 9000")
    return utc


Instant = Annotated[AwareDatetime, AfterValidator(_in_utc)]

Scope = Literal[
    "admin",
    "claims:read",
    "claims:write",
    "contracts:approve",
    "contracts:read",
    "contracts:write",
    "keys:admin",
    "notifications:read",
    "notifications:write",
    "obligations:read",
    "obligations:write",
    "sessions:exchange",
]
"""accord_common.auth.ALL_SCOPES, spelled out for the OpenAPI enum (a unit test holds them equal)."""


class ApiKeyIn(BaseModel):
    """A key for one person or system of the caller's organisation, valid on every service."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "Dana Lee, contracting",
                    "scopes": ["contracts:read", "contracts:approve", "claims:read"],
                    "expires_at": "2027-06-30T00:00:00Z",
                    "rate_limit_per_minute": 600,
                }
            ]
        },
    )

    name: str = Field(min_length=1, max_length=200, description="Who holds the key.")
    scopes: list[Scope] = Field(min_length=1, max_length=20, description="What the key may do.")
    expires_at: Instant | None = Field(default=None, description="When it stops working (null: never).")
    rate_limit_per_minute: int | None = Field(
        default=None, ge=1, le=100_000, description="Requests a minute (null: the service's default)."
    )


class RotateIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"overlap_seconds": 3600}]})

    overlap_seconds: int = Field(
        default=0, ge=0, le=604_800, description="How long the old key keeps working (0: stops at once)."
    )


class ExpireIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"expires_at": "2027-01-31T23:59:59Z"}]}
    )

    expires_at: Instant | None = Field(default=None, description="From when (null: now).")


class ApiKeyOut(BaseModel):
    id: str
    name: str
    prefix: str = Field(description="The key's public part (acc_<prefix>_...), to tell keys apart.")
    scopes: list[str]
    status: Literal["active", "expired", "revoked"]
    holder_id: str = Field(description="The first key of its rotations: the same person across rotations.")
    issued_at: datetime
    issued_by_key_id: str | None
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None = Field(description="Latest use on any service (reported within seconds).")
    rate_limit_per_minute: int | None
    rotated_from_key_id: str | None


class IssuedApiKeyOut(ApiKeyOut):
    key: str = Field(description="The key itself: shown this once, stored only as a hash.")
