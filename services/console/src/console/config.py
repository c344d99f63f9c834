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

    @model_validator(mode="after")
    def _refuse_insecure_production(self) -> ConsoleSettings:
        if self.environment == "production":
            if self.session_secret is None:
                raise ValueError("production requires ACCORD_CONSOLE_SESSION_SECRET (a Fernet key)")
            if not self.cookie_secure:
                raise ValueError("production refuses session cookies without Secure")
        return self

    def sealing_key(self) -> str:
        return self.session_secret.get_secret_value() if self.session_secret else DEVELOPMENT_SESSION_SECRET
