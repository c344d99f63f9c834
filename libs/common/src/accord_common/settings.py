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
    # topic layout: partitions, replicas per partition, replicas that must acknowledge a write
    # (producers use acks=all). Replicas and min ISR default to 3 / 2 in production, 1 / 1 elsewhere.
    kafka_topic_partitions: int = Field(default=3, ge=1)
    kafka_replication_factor: int | None = Field(default=None, ge=1)
    kafka_min_insync_replicas: int | None = Field(default=None, ge=1)
    # production refuses a replication factor of 1 (a dead broker loses acknowledged events) unless set
    kafka_allow_unreplicated_topics: bool = False
    # idempotent producer: "auto" asks the broker at start-up (Apache Kafka yes, tansu no)
    kafka_idempotence: Literal["auto", "on", "off"] = "off"
    # how long a consumer's fetch waits at the broker for records (None: 500 ms when the broker
    # grants producer ids, as Apache Kafka does, which answers a waiting fetch as soon as a record
    # arrives; 100 ms otherwise, for tansu, which answers one only when the wait ends)
    kafka_fetch_max_wait_ms: int | None = None
    relay_enabled: bool = True
    relay_poll_interval_ms: int = 200
    consumer_max_attempts: int = 5
    consumer_backoff_ms: int = 200
    # apply the partitions of one fetch at the same time (each in its own transaction); None: on for
    # PostgreSQL, off for SQLite (one writer at a time: nothing to gain)
    consumer_concurrent_partitions: bool | None = None
    # Retention, run by every replica (batched deletes, safe concurrently). Published outbox rows are
    # deleted by the relay as it publishes them (0), or kept this many days for audit and
    # re-publishing from the database; inbox rows must outlive the broker's retention of the topics
    # (Kafka's default is 7 days), or a redelivered old event would be applied again.
    outbox_retention_days: int = Field(default=0, ge=0, le=3650)
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
    # API keys: requests a minute per key (a key issued with its own limit keeps it), failed
    # authentications a minute per client address (then 429 with Retry-After), and how often the
    # last use of keys is written and reported to the registry (coalesced, not a write per request)
    rate_limit_per_key_per_minute: int = Field(default=3000, ge=1, le=1_000_000)
    rate_limit_failed_auth_per_address_per_minute: int = Field(default=300, ge=1, le=1_000_000)
    key_usage_flush_seconds: float = Field(default=10.0, gt=0, le=3600)
    # how long a process reuses a key it verified (accord_common.keys.cache): any change to a key
    # empties every process's cache at once (a wake-up on commit); this bounds a missed one. 0: off
    key_cache_seconds: float = Field(default=5.0, ge=0, le=60)
    bootstrap_api_key: str | None = None
    bootstrap_org_id: str | None = None

    @property
    def topic_replicas(self) -> int:
        """Replicas per partition: the setting, else 3 in production and 1 elsewhere."""
        return self.kafka_replication_factor or (3 if self.environment == "production" else 1)

    @property
    def topic_min_insync_replicas(self) -> int:
        """In-sync replicas an acks=all write needs: the setting, else 2 in production (at most the
        replicas) and 1 elsewhere."""
        production = min(2, self.topic_replicas) if self.environment == "production" else 1
        return self.kafka_min_insync_replicas or production

    @model_validator(mode="after")
    def _refuse_unsafe_topics(self) -> ServiceSettings:
        replicas, min_isr = self.topic_replicas, self.topic_min_insync_replicas
        if min_isr > replicas:
            raise ValueError(
                f"KAFKA_MIN_INSYNC_REPLICAS ({min_isr}) must not exceed"
                f" KAFKA_REPLICATION_FACTOR ({replicas}): no write could ever be acknowledged"
            )
        if self.environment == "production" and replicas == 1 and not self.kafka_allow_unreplicated_topics:
            raise ValueError(
                "KAFKA_REPLICATION_FACTOR=1 in production loses acknowledged events when the broker dies;"
                " use 3 (with KAFKA_MIN_INSYNC_REPLICAS=2) or set KAFKA_ALLOW_UNREPLICATED_TOPICS=true"
                " for a single-broker deployment"
            )
        return self

    @model_validator(mode="after")
    def _refuse_insecure_production(self) -> ServiceSettings:
        if self.environment == "production":
            if self.database_url.startswith("sqlite"):
                raise ValueError("production requires PostgreSQL: set DATABASE_URL")
            if self.bootstrap_api_key:
                raise ValueError("a bootstrap API key is for development only; issue keys with the CLI")
        return self
