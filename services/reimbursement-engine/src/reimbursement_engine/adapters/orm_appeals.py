"""Appeal packets, their audit trail and the organisations' letter templates (same metadata as orm.py)."""

from __future__ import annotations

from accord_common.db import Money
from accord_common.tables import BigId
from sqlalchemy import JSON, Column, Date, DateTime, Index, Integer, LargeBinary, String, Table, Text

from reimbursement_engine.adapters.orm import metadata

appeals = Table(
    "appeals",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("organization_id", String(64), nullable=False),
    Column("reference", String(40), nullable=False),
    Column("payer_id", String(80), nullable=False),
    Column("contract_id", String(64), nullable=False),
    Column("contract_version", Integer, nullable=False),
    Column("variance_ids", JSON, nullable=False),
    Column("status", String(16), nullable=False),
    Column("amount_due", Money, nullable=False),
    Column("deadline", Date, nullable=True),
    Column("recipients", JSON, nullable=False),
    Column("html", Text, nullable=False),
    Column("pdf", LargeBinary, nullable=False),
    Column("amount_paid", Money, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("sent_at", DateTime(timezone=True), nullable=True),
    Index("ix_appeals_org_status", "organization_id", "status"),
)

appeal_variances = Table(
    "appeal_variances",
    metadata,
    Column("appeal_id", String(36), primary_key=True),
    Column("variance_id", String(36), primary_key=True, index=True),
)

appeal_audit = Table(
    "appeal_audit",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("appeal_id", String(36), nullable=False, index=True),
    Column("organization_id", String(64), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("from_status", String(16), nullable=True),
    Column("to_status", String(16), nullable=False),
    Column("note", Text, nullable=True),
    Column("amount", Money, nullable=True),
    Column("at", DateTime(timezone=True), nullable=False),
)

appeal_templates = Table(
    "appeal_templates",
    metadata,
    Column("organization_id", String(64), primary_key=True),
    Column("source", Text, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
