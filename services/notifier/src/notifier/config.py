"""Settings of the notifier (env prefix ACCORD_NOTIFIER_)."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from accord_common.settings import ServiceSettings
from pydantic import SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from notifier.adapters.secret_box import KEYS_VARIABLE, FernetSecretBox
from notifier.domain import (
    DEFAULT_RETRY_POLICY,
    DISABLE_AFTER_CONSECUTIVE_DEAD,
    TOTAL_TIMEOUT_SECONDS,
    AllowList,
    NotifierDomainError,
    RecordLinks,
    RetryPolicy,
)

# Encrypts webhook signing secrets when no key is configured, outside production only (which
# refuses it): the url-safe base64 of b"accord-dev-only-not-for-prod-key".
DEVELOPMENT_SECRET_ENCRYPTION_KEY = "YWNjb3JkLWRldi1vbmx5LW5vdC1mb3ItcHJvZC1rZXk="


def _reachable_by_staff(url: str) -> bool:
    """An https URL whose host is not this machine (a mail's link to 127.0.0.1 leads nowhere)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    return parts.scheme == "https" and host not in ("localhost", "127.0.0.1", "::1", "0.0.0.0")


class NotifierSettings(ServiceSettings):
    # Inputs are left out of validation errors: they may hold keys and passwords.
    model_config = SettingsConfigDict(
        env_prefix="ACCORD_NOTIFIER_", extra="ignore", hide_input_in_errors=True
    )

    service_name: str = "notifier"
    database_url: str = "sqlite+aiosqlite:///./.data/notifier.db"
    dispatcher_interval_seconds: float = 1.0
    dispatcher_batch_size: int = 20
    # Sends in flight at once, in all and per endpoint (one webhook or email subscription).
    dispatcher_concurrency: int = 32
    dispatcher_concurrency_per_endpoint: int = 2
    # An endpoint that answers 2xx within dispatcher_fast_answer_ms earns a slot more with each such
    # answer, up to this many; any other answer halves what it earned (domain/send_capacity.py).
    dispatcher_concurrency_per_endpoint_max: int = 8
    dispatcher_fast_answer_ms: int = 1000
    # On stop, sends in flight get this long to finish and be recorded (more than the webhook timeout).
    dispatcher_drain_seconds: float = 25.0
    # A claimed delivery is retried by another replica once this has passed (a crash mid-send).
    delivery_lease_seconds: float = 120.0
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    smtp_starttls: bool = False
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_timeout_seconds: float = 30.0
    mail_from: str = "Accord <notifications@accord.example>"
    # Where "Open the obligation" and the other links in mails point: the Accord console
    # (services/console), which serves /obligations/<id>, /claims/<id>, /contracts/<id> and
    # /settings/subscriptions[/<id>] (docs/notifier.md). Production refuses it unset or local.
    links_base_url: str = "http://127.0.0.1:8105"
    # Comma-separated CIDRs or host names webhooks may reach although internal (dev: loopback).
    webhook_allow_private: str = ""
    webhook_timeout_seconds: float = TOTAL_TIMEOUT_SECONDS
    # None: the domain's schedule (about a day); tests pass e.g. [0.2, 0.2] as a JSON list.
    retry_delays_seconds: list[float] | None = None
    retry_jitter_floor: float = DEFAULT_RETRY_POLICY.jitter_floor
    disable_after_consecutive_dead: int = DISABLE_AFTER_CONSECUTIVE_DEAD
    digest_hour_utc: int = 7
    # Fernet keys that encrypt webhook signing secrets at rest, comma-separated, newest first: the
    # first encrypts, every one decrypts. Unset outside production: the development key.
    secret_encryption_keys: SecretStr | None = None

    @model_validator(mode="after")
    def _refuse_plaintext_credentials(self) -> NotifierSettings:
        if self.environment == "production" and self.smtp_password and not self.smtp_starttls:
            raise ValueError("production refuses SMTP credentials without STARTTLS")
        try:
            RecordLinks(self.links_base_url)
        except NotifierDomainError as refusal:
            raise ValueError(f"links_base_url {refusal.message}") from None
        return self

    @model_validator(mode="after")
    def _require_secret_encryption_keys(self) -> NotifierSettings:
        configured = self._configured_encryption_keys()
        if self.environment == "production":
            if not configured:
                raise ValueError(
                    f"production requires {KEYS_VARIABLE}: one or more Fernet keys, comma-separated, "
                    "newest first (make one with Fernet.generate_key() from the cryptography package)"
                )
            if DEVELOPMENT_SECRET_ENCRYPTION_KEY in configured:
                raise ValueError(f"{KEYS_VARIABLE} holds the development key, which production refuses")
        try:
            FernetSecretBox(self.encryption_keys())
        except ValueError as refusal:
            raise ValueError(f"{KEYS_VARIABLE}: {refusal}") from None
        return self

    @model_validator(mode="after")
    def _require_console_links(self) -> NotifierSettings:
        if self.links_lead_nowhere:
            raise ValueError(
                "production requires ACCORD_NOTIFIER_LINKS_BASE_URL: the https address of the Accord "
                f"console, where the links in mails lead (not {self.links_base_url})"
            )
        return self

    def _configured_encryption_keys(self) -> list[str]:
        keys = self.secret_encryption_keys.get_secret_value() if self.secret_encryption_keys else ""
        return [key.strip() for key in keys.split(",") if key.strip()]

    def encryption_keys(self) -> list[str]:
        """The keys for signing secrets, newest first; the development key if none is configured."""
        return self._configured_encryption_keys() or [DEVELOPMENT_SECRET_ENCRYPTION_KEY]

    @property
    def links_lead_nowhere(self) -> bool:
        """Production mails whose links point at this machine (links_base_url left at its default)."""
        return self.environment == "production" and not _reachable_by_staff(self.links_base_url)

    @property
    def allow_list(self) -> AllowList:
        return AllowList.parse(self.webhook_allow_private.split(","))

    @property
    def retry_policy(self) -> RetryPolicy:
        if self.retry_delays_seconds is None:
            return RetryPolicy(jitter_floor=self.retry_jitter_floor)
        delays = tuple(timedelta(seconds=s) for s in self.retry_delays_seconds)
        return RetryPolicy(delays=delays, jitter_floor=self.retry_jitter_floor)

    @property
    def links(self) -> RecordLinks:
        return RecordLinks(self.links_base_url)
