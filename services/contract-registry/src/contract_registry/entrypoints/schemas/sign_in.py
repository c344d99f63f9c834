"""The identity provider an organisation trusts, and a sign-in with its ID token."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from contract_registry.entrypoints.schemas.api_keys import Scope

# https with a host (http only on this machine, for development), an optional port and path; no
# query or fragment (the server's own check, domain.sign_in).
ISSUER = (
    r"^(https://[A-Za-z0-9.-]+|http://(localhost|127\.0\.0\.1|\[::1\]))"
    r"(:[0-9]{1,5})?(/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*)?$"
)
IDENTITY_PROVIDER_EXAMPLE: dict[str, Any] = {
    "issuer": "https://login.example-hospital.org/realms/staff",
    "client_id": "accord-console",
    "groups_claim": "groups",
    "scopes_by_group": {
        "managed-care-contracting": ["contracts:read", "contracts:write", "claims:read"],
        "revenue-cycle": ["claims:read", "claims:write", "obligations:read", "obligations:write"],
        "accord-admins": ["admin"],
    },
    "session_hours": 8,
}


class IdentityProviderIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [IDENTITY_PROVIDER_EXAMPLE]})

    issuer: str = Field(
        min_length=8,
        max_length=500,
        pattern=ISSUER,
        description="The provider's issuer URL (https, no query or fragment), as its ID tokens name it.",
    )
    client_id: str = Field(
        min_length=1,
        max_length=200,
        pattern=r"^[^\x00]*[!-~][^\x00]*$",  # not blank: a visible character; no NUL, as every string
        description="The client id the console is registered under (the ID token's audience).",
    )
    groups_claim: str = Field(default="groups", min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.:/-]+$")
    scopes_by_group: dict[str, list[Scope]] = Field(
        description="Which of the provider's groups grant which Accord scopes; a person gets the union "
        "of their groups' scopes and cannot sign in with none.",
        max_length=200,
    )
    session_hours: int = Field(default=8, ge=1, le=24)
    enabled: bool = True


class IdentityProviderOut(IdentityProviderIn):
    model_config = ConfigDict(extra="ignore")


class IdTokenSignIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"id_token": "eyJhbGciOiJSUzI1NiIs...", "nonce": "n-0S6_WzA2Mj"}]},
    )

    id_token: str = Field(min_length=20, max_length=16_000, description="The ID token the provider issued.")
    nonce: str = Field(
        min_length=16, max_length=200, description="The nonce the console sent with the request."
    )


class PersonalKeyOut(BaseModel):
    key_id: str
    api_key: str = Field(description="Shown once; valid on every service until expires_at or sign-out.")
    name: str
    subject: str
    scopes: list[str]
    expires_at: datetime
