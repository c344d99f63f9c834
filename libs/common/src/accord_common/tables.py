"""Infrastructure tables every service database holds: outbox, inbox, dead letters, API keys, rate
limit counters."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

BigId = BigInteger().with_variant(Integer(), "sqlite")


def add_infra_tables(metadata: MetaData) -> None:
    """Declare the infrastructure tables on a service's own metadata."""
    _outbox(metadata)
    _inbox(metadata)
    _api_keys(metadata)
    _dead_letters(metadata)
    rate_limit_hits(metadata)


def _outbox(metadata: MetaData) -> None:
    Table(
        "outbox",
        metadata,
        Column("id", BigId, primary_key=True, autoincrement=True),
        Column("event_id", String(36), nullable=False, unique=True),
        Column("topic", String(200), nullable=False),
        Column("message_key", String(200), nullable=False),
        Column("payload", LargeBinary, nullable=False),
        Column("headers", JSON, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("published_at", DateTime(timezone=True), nullable=True),
        # events in the row (outbox_bundles.py): a unit of work's run of one topic is one row
        Column("event_count", Integer, nullable=False, server_default="1"),
        Index("ix_outbox_unpublished", "published_at", "id"),
    )


def _inbox(metadata: MetaData) -> None:
    Table(
        "inbox",
        metadata,
        Column("event_id", String(36), primary_key=True),
        Column("consumer", String(100), primary_key=True),
        Column("event_type", String(200), nullable=False),
        Column("processed_at", DateTime(timezone=True), nullable=False),
        Index("ix_inbox_processed_at", "processed_at"),
    )


def _api_keys(metadata: MetaData) -> None:
    Table(
        "api_keys",
        metadata,
        Column("id", String(36), primary_key=True),
        Column("organization_id", String(64), nullable=False, index=True),
        Column("name", String(200), nullable=False),
        Column("prefix", String(32), nullable=False),
        Column("key_hash", String(64), nullable=False),
        Column("scopes", JSON, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("revoked_at", DateTime(timezone=True), nullable=True),
        *key_management_columns(),
        UniqueConstraint("prefix", name="uq_api_keys_prefix"),
    )


def key_management_columns() -> list[Column[object]]:
    """Managed keys (issued through the registry, projected everywhere): expiry, last use, the
    holder across rotations, a per-key rate limit, where the row came from and the authority's
    revision of it (a projection applies only newer revisions)."""
    return [
        Column("expires_at", DateTime(timezone=True), nullable=True),
        Column("last_used_at", DateTime(timezone=True), nullable=True),
        Column("holder_id", String(36), nullable=True),
        Column("rate_limit_per_minute", Integer, nullable=True),
        Column("source", String(20), nullable=False, server_default="cli"),
        Column("revision", Integer, nullable=False, server_default="0"),
        Column("issued_by_key_id", String(36), nullable=True),
        Column("rotated_from_key_id", String(36), nullable=True),
    ]


def _dead_letters(metadata: MetaData) -> None:
    Table(
        "dead_letters",
        metadata,
        Column("id", BigId, primary_key=True, autoincrement=True),
        Column("event_id", String(36), nullable=True),
        Column("topic", String(200), nullable=False),
        Column("consumer", String(100), nullable=False),
        Column("message_key", String(200), nullable=True),
        Column("payload", LargeBinary, nullable=False),
        Column("error", Text, nullable=False),
        Column("attempts", Integer, nullable=False),
        Column("failed_at", DateTime(timezone=True), nullable=False),
        Column("replayed_at", DateTime(timezone=True), nullable=True),
    )


def rate_limit_hits(metadata: MetaData) -> Table:
    """Requests counted a key (or client address) and minute, shared by a service's workers on
    PostgreSQL (accord_common.keys.counters); UNLOGGED there: a count lost in a crash costs nothing."""
    return Table("rate_limit_hits", metadata, *rate_limit_hits_columns())


def rate_limit_hits_columns() -> list[Column[object]]:
    """The columns of `rate_limit_hits`, for the table and for each service's migration."""
    return [
        Column("name", String(200), primary_key=True),
        Column("window_start", BigInteger, primary_key=True),
        Column("hits", Integer, nullable=False),
    ]
