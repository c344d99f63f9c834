"""The registry's tables (its own database) plus the shared infrastructure tables.

Contracts are stored as rows the aggregate is rebuilt from: scalar columns for search, the draft
terms and each version as the domain's JSON (version_to_dict), approvals and rejections as JSON.
Fee schedule rows have their own table (100,000 rows per schedule is normal). The audit log and
the documents' bytes are append-only.
"""

from __future__ import annotations

from accord_common.db import Money, new_metadata
from accord_common.tables import BigId, add_infra_tables
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    true,
)

metadata = new_metadata()
add_infra_tables(metadata)

ORG = String(64)
ID = String(36)
# Canonical fee schedule rows are hashed in code point order: PostgreSQL must sort them bytewise
# ("C" collation) as SQLite does by default, whatever the database's locale.
BYTE_ORDERED = String(200).with_variant(String(200, collation="C"), "postgresql")

organisations = Table(
    "organisations",
    metadata,
    Column("id", ORG, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("tins", JSON, nullable=False),
    Column("npis", JSON, nullable=False),
    Column("locations", JSON, nullable=False),
    Column("required_approver_roles", JSON, nullable=False),
    # segregation of duties: each required role approved by a different key holder
    Column("distinct_approvers", Boolean, nullable=False, server_default=true()),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

identity_providers = Table(
    "identity_providers",
    metadata,
    Column("organization_id", ORG, primary_key=True),
    Column("issuer", String(500), nullable=False),
    Column("client_id", String(200), nullable=False),
    Column("groups_claim", String(100), nullable=False),
    Column("scopes_by_group", JSON, nullable=False),
    Column("session_hours", Integer, nullable=False),
    Column("enabled", Boolean, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

payers = Table(
    "payers",
    metadata,
    Column("id", ID, primary_key=True),
    Column("organization_id", ORG, nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("x12_payer_id", String(80), nullable=True),
    Column("plans", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

contracts = Table(
    "contracts",
    metadata,
    Column("id", ID, primary_key=True),
    Column("organization_id", ORG, nullable=False, index=True),
    Column("payer_id", ID, ForeignKey("payers.id"), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("status", String(20), nullable=False),
    Column("line_of_business", String(40), nullable=False),
    Column("plan_ids", JSON, nullable=False),
    Column("required_approver_roles", JSON, nullable=False),
    Column("draft_terms", JSON, nullable=False),
    Column("approvals", JSON, nullable=False),
    Column("rejections", JSON, nullable=False),
    Column("current_version", Integer, nullable=False),
    Column("termination_date", Date, nullable=True),
    # each contract.* event carries the revision it was recorded at (consumers keep the newest)
    Column("revision", Integer, nullable=False, server_default="0"),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    # which claims it covers: claim types, types of bill, billing TINs / NPIs (null: not limited)
    Column("scope", JSON, nullable=True),
    # the key holder who submitted it for review (who may then not approve it)
    Column("submitted_by_key_id", String(36), nullable=True),
    Index("ix_contracts_org_status", "organization_id", "status"),
)

contract_versions = Table(
    "contract_versions",
    metadata,
    Column("contract_id", ID, ForeignKey("contracts.id"), primary_key=True),
    Column("number", Integer, primary_key=True),
    Column("proposed", Boolean, nullable=False),
    Column("effective_from", Date, nullable=False),
    Column("effective_to", Date, nullable=True),
    Column("retroactive", Boolean, nullable=False),
    Column("payer_initiated", Boolean, nullable=False),
    Column("objection_window_days", Integer, nullable=True),
    Column("data", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(200), nullable=False),
)

fee_schedules = Table(
    "fee_schedules",
    metadata,
    Column("id", ID, primary_key=True),
    Column("organization_id", ORG, nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("source", String(20), nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("row_count", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(200), nullable=False),
)

fee_schedule_rows = Table(
    "fee_schedule_rows",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("schedule_id", ID, ForeignKey("fee_schedules.id"), nullable=False),
    Column("code_system", String(10), nullable=False),
    Column("code", String(10), nullable=False),
    Column("modifiers", String(20), nullable=False),
    Column("place_of_service", String(2), nullable=True),
    Column("setting", String(20), nullable=True),
    Column("unit", String(10), nullable=False),
    Column("rate_kind", String(30), nullable=False),
    Column("amount", Money(), nullable=True),
    Column("percentage", Money(), nullable=True),
    Column("effective_from", Date, nullable=False),
    Column("effective_to", Date, nullable=True),
    Column("source_row", Integer, nullable=True),
    Column("base_key", BYTE_ORDERED, nullable=False),
    Column("canonical", BYTE_ORDERED, nullable=False),
    Index("ix_fee_schedule_rows_schedule_code", "schedule_id", "code_system", "code"),
    Index("ix_fee_schedule_rows_schedule_id", "schedule_id", "id"),
    Index("ix_fee_schedule_rows_schedule_base_key", "schedule_id", "base_key"),
    Index("ix_fee_schedule_rows_schedule_canonical", "schedule_id", "canonical"),
)

documents = Table(
    "documents",
    metadata,
    Column("id", ID, primary_key=True),
    Column("organization_id", ORG, nullable=False),
    Column("filename", String(255), nullable=False),
    Column("content_type", String(120), nullable=False),
    Column("size_bytes", BigInteger, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("storage_key", String(300), nullable=False),
    Column("uploaded_at", DateTime(timezone=True), nullable=False),
    Column("uploaded_by", String(200), nullable=False),
    UniqueConstraint("organization_id", "sha256", name="uq_documents_org_sha256"),
)

document_links = Table(
    "document_links",
    metadata,
    Column("document_id", ID, ForeignKey("documents.id"), primary_key=True),
    Column("contract_id", ID, ForeignKey("contracts.id"), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("linked_at", DateTime(timezone=True), nullable=False),
    Column("linked_by", String(200), nullable=False),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("organization_id", ORG, nullable=False),
    Column("contract_id", ID, nullable=True),
    Column("entity", String(40), nullable=False),
    Column("entity_id", String(64), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("actor_key_id", String(36), nullable=True),
    Column("action", String(60), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("changes", JSON, nullable=False),
    Column("comment", Text, nullable=True),
    Index("ix_audit_log_org_id", "organization_id", "id"),
    Index("ix_audit_log_contract_id", "contract_id", "id"),
)
