"""Settings shared by every service; each service subclasses with its own env prefix."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

Environment = Literal["development", "test", "production"]


class ServiceSettings(BaseSettings):
    """Infrastructure settings of one service (database, broker, telemetry, auth)."""

    model_config = SettingsConfigDict(env_prefix="ACCORD_", extra="ignore")

    service_name: str = "accord"
    environment: Environment = "development"
    database_url: str = "sqlite+aiosqlite:///./.data/accord.db"
    kafka_bootstrap: str = "127.0.0.1:9092"
    kafka_enabled: bool = True
    kafka_client_id: str | None = None
    relay_enabled: bool = True
    relay_poll_interval_ms: int = 200
    consumer_max_attempts: int = 5
    consumer_backoff_ms: int = 200
    # Retention, run by every replica (batched deletes, safe concurrently). Published outbox rows are
    # kept for audit and re-publishing; inbox rows must outlive the broker's retention of the topics
    # (Kafka's default is 7 days), or a redelivered old event would be applied again.
    outbox_retention_days: int = Field(default=7, ge=1, le=3650)
    inbox_retention_days: int = Field(default=30, ge=8, le=3650)
    retention_interval_seconds: int = Field(default=3600, ge=10, le=86_400)
    log_level: str = "INFO"
    log_json: bool = True
    otel_exporter: Literal["none", "console", "otlp"] = "none"
    # OTLP/HTTP traces endpoint (e.g. http://collector:4318/v1/traces); None: the standard
    # OTEL_EXPORTER_OTLP_* variables, else http://localhost:4318/v1/traces
    otel_endpoint: str | None = None
    public_base_url: str = "http://127.0.0.1:8000"
    max_request_bytes: int = 64 * 1024 * 1024
    bootstrap_api_key: str | None = None
    bootstrap_org_id: str | None = None

    @model_validator(mode="after")
    def _refuse_insecure_production(self) -> ServiceSettings:
        if self.environment == "production":
            if self.database_url.startswith("sqlite"):
                raise ValueError("production requires PostgreSQL: set DATABASE_URL")
            if self.bootstrap_api_key:
                raise ValueError("a bootstrap API key is for development only; issue keys with the CLI")
        return self
