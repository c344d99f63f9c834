"""The notifier's tables (its own database) plus the shared infrastructure tables.

Webhook signing secrets are encrypted at rest: each `value` in `subscriptions.secrets` is
`enc:v1:` + a Fernet token under the first key of ACCORD_NOTIFIER_SECRET_ENCRYPTION_KEYS
(adapters/secret_box.py), so a copy of the database does not hold a usable secret. The mapping
encrypts on write and decrypts, in memory only, when a subscription is loaded to sign or match; a
secret leaves the service once, at creation or rotation.
"""

from __future__ import annotations

from accord_common.db import new_metadata
from accord_common.tables import BigId, add_infra_tables
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)

metadata = new_metadata()
add_infra_tables(metadata)

subscriptions = Table(
    "subscriptions",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("organization_id", String(64), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("event_types", JSON, nullable=False),
    Column("filters", JSON, nullable=False),
    Column("channel_kind", String(10), nullable=False),
    Column("webhook_url", Text, nullable=True),
    Column("secrets", JSON, nullable=True),  # [{"value": "enc:v1:<Fernet token>", "retires_at": iso | null}]
    Column("recipients", JSON, nullable=True),
    Column("digest", Boolean, nullable=False, default=False),
    Column("owner_email", String(320), nullable=True),
    Column("consecutive_dead", Integer, nullable=False, default=0),
    Column("disabled_at", DateTime(timezone=True), nullable=True),
    Column("disabled_reason", Text, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("deleted_at", DateTime(timezone=True), nullable=True),
)

deliveries = Table(
    "deliveries",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("organization_id", String(64), nullable=False, index=True),
    Column("event_id", String(36), nullable=False),
    Column("subscription_id", String(36), ForeignKey("subscriptions.id"), nullable=False, index=True),
    Column("event_type", String(200), nullable=False),
    Column("event", LargeBinary, nullable=False),  # the CloudEvent as received (structured JSON)
    Column("channel_kind", String(10), nullable=False),
    Column("status", String(20), nullable=False),
    Column("next_attempt_at", DateTime(timezone=True), nullable=True),
    Column("locked_until", DateTime(timezone=True), nullable=True),
    Column("lease_token", String(36), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("ended_at", DateTime(timezone=True), nullable=True),
    # Sent in its recipients' daily digests (digest_items), not on its own; next_attempt_at then
    # only says when the (latest) digest is due.
    Column("via_digest", Boolean, nullable=False, default=False, server_default=false()),
    UniqueConstraint("event_id", "subscription_id", name="uq_deliveries_event_subscription"),
    Index("ix_deliveries_due", "status", "next_attempt_at"),
    Index("ix_deliveries_listing", "organization_id", "created_at", "id"),
)

delivery_attempts = Table(
    "delivery_attempts",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("delivery_id", String(36), ForeignKey("deliveries.id"), nullable=False, index=True),
    Column("number", Integer, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("status_code", Integer, nullable=True),
    Column("latency_ms", Integer, nullable=False),
    Column("outcome", String(20), nullable=False),
    Column("error", Text, nullable=True),
    UniqueConstraint("delivery_id", "number", name="uq_delivery_attempts_delivery_number"),
)

# Mails to a subscription's owner (its webhook was switched off), sent by the send loop.
owner_emails = Table(
    "owner_emails",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("organization_id", String(64), nullable=False),
    Column("subscription_id", String(36), ForeignKey("subscriptions.id"), nullable=False),
    Column("recipient", String(320), nullable=False),
    Column("subject", Text, nullable=False),
    Column("text_body", Text, nullable=False),
    Column("html_body", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("locked_until", DateTime(timezone=True), nullable=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text, nullable=True),
    Column("sent_at", DateTime(timezone=True), nullable=True),
)

# The contract projection: one row per contract, from contract.* events, for the names in mails.
contracts = Table(
    "contracts",
    metadata,
    Column("contract_id", String(64), primary_key=True),
    Column("organization_id", String(64), nullable=False, index=True),
    Column("contract_name", String(300), nullable=True),
    Column("payer_id", String(200), nullable=False),
    Column("payer_name", String(300), nullable=True),
    Column("payer_x12_id", String(80), nullable=True),
    Column("status", String(40), nullable=False),
    Column("version", Integer, nullable=False),
    Column("revision", Integer, nullable=False, server_default="0"),  # the registry's, 0 before it had one
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# One digest mail per recipient address (lower-cased), organisation and day; its deliveries are
# in digest_items. Sealed when first claimed for sending: what arrives later waits for the next day.
digests = Table(
    "digests",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("organization_id", String(64), nullable=False),
    Column("recipient", String(320), nullable=False),
    Column("digest_date", Date, nullable=False),
    Column("status", String(20), nullable=False),
    Column("next_attempt_at", DateTime(timezone=True), nullable=True),
    Column("sealed_at", DateTime(timezone=True), nullable=True),
    Column("locked_until", DateTime(timezone=True), nullable=True),
    Column("lease_token", String(36), nullable=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_status_code", Integer, nullable=True),
    Column("last_error", Text, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("ended_at", DateTime(timezone=True), nullable=True),
    UniqueConstraint("organization_id", "recipient", "digest_date", name="uq_digests_recipient_day"),
    Index("ix_digests_due", "status", "next_attempt_at"),
)

digest_items = Table(
    "digest_items",
    metadata,
    Column("digest_id", String(36), ForeignKey("digests.id"), nullable=False),
    Column("delivery_id", String(36), ForeignKey("deliveries.id"), nullable=False, index=True),
    PrimaryKeyConstraint("digest_id", "delivery_id", name="pk_digest_items"),
)

# The terms of each contract version seen (contract_terms.version_terms), to say what changed.
contract_versions = Table(
    "contract_versions",
    metadata,
    Column("contract_id", String(64), nullable=False),
    Column("version", Integer, nullable=False),
    Column("organization_id", String(64), nullable=False),
    Column("terms", JSON, nullable=False),
    Column("revision", Integer, nullable=False, server_default="0"),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("contract_id", "version", name="pk_contract_versions"),
)
