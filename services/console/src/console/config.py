"""Settings of the console (env prefix ACCORD_CONSOLE_)."""

from __future__ import annotations

from typing import Literal

from pydantic import SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Outside production only (which refuses it): sessions then survive restarts on a developer's machine.
DEVELOPMENT_SESSION_SECRET = "YWNjb3JkLWNvbnNvbGUtZGV2LW9ubHktc2Vzc2lvbiE="


class ConsoleSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ACCORD_CONSOLE_", extra="ignore", hide_input_in_errors=True)

    service_name: str = "console"
    environment: Literal["development", "test", "production"] = "development"
    log_level: str = "INFO"
    log_json: bool = True
    # Each service's public HTTP API; the console reads nothing else.
    registry_url: str = "http://127.0.0.1:8101"
    engine_url: str = "http://127.0.0.1:8102"
    tracker_url: str = "http://127.0.0.1:8103"
    notifier_url: str = "http://127.0.0.1:8104"
    api_timeout_seconds: float = 10.0
    # Fernet key (url-safe base64 of 32 bytes) that seals the session cookie.
    session_secret: SecretStr | None = None
    session_hours: int = 8
    # Secure cookies need https; switch off only for http://127.0.0.1 during development.
    cookie_secure: bool = True
    page_size: int = 50
    # Where people reach the console (the redirect URI registered with the identity provider).
    public_url: str = "http://127.0.0.1:8105"
    # Sign-in with the organisation's identity provider (OpenID Connect), when an issuer is set. The
    # exchange key is the console's own API key with the sessions:exchange scope: with it the
    # registry turns a person's verified ID token into their key for one session.
    oidc_issuer: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: SecretStr | None = None
    oidc_exchange_key: SecretStr | None = None
    oidc_label: str = "your organisation's sign-in"

    @model_validator(mode="after")
    def _refuse_insecure_production(self) -> ConsoleSettings:
        if self.environment == "production":
            if self.session_secret is None:
                raise ValueError("production requires ACCORD_CONSOLE_SESSION_SECRET (a Fernet key)")
            if not self.cookie_secure:
                raise ValueError("production refuses session cookies without Secure")
            if self.oidc_issuer and not self.oidc_issuer.startswith("https://"):
                raise ValueError("production requires an https ACCORD_CONSOLE_OIDC_ISSUER")
        if self.oidc_issuer and not (self.oidc_client_id and self.oidc_exchange_key):
            raise ValueError(
                "ACCORD_CONSOLE_OIDC_ISSUER needs ACCORD_CONSOLE_OIDC_CLIENT_ID "
                "and ACCORD_CONSOLE_OIDC_EXCHANGE_KEY"
            )
        return self

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer)

    def sealing_key(self) -> str:
        return self.session_secret.get_secret_value() if self.session_secret else DEVELOPMENT_SESSION_SECRET
