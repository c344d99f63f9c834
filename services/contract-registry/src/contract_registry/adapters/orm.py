"""The registry's tables (its own database) plus the shared infrastructure tables."""

from __future__ import annotations

from accord_common.db import new_metadata
from accord_common.tables import BigId, add_infra_tables
from sqlalchemy import JSON, Boolean, Column, Date, DateTime, ForeignKey, Integer, String, Table, Text

metadata = new_metadata()
add_infra_tables(metadata)

payers = Table(
    "payers",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("organization_id", String(64), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("x12_payer_id", String(80), nullable=True),
    Column("plans", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

contracts = Table(
    "contracts",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("organization_id", String(64), nullable=False, index=True),
    Column("payer_id", String(36), ForeignKey("payers.id"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("status", String(20), nullable=False),
    Column("line_of_business", String(40), nullable=True),
    Column("current_version", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

contract_versions = Table(
    "contract_versions",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("contract_id", String(36), ForeignKey("contracts.id"), nullable=False, index=True),
    Column("version", Integer, nullable=False),
    Column("effective_from", Date, nullable=False),
    Column("effective_to", Date, nullable=True),
    Column("retroactive", Boolean, nullable=False),
    Column("terms", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(200), nullable=False),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("organization_id", String(64), nullable=False, index=True),
    Column("contract_id", String(36), nullable=True, index=True),
    Column("actor", String(200), nullable=False),
    Column("action", String(60), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("changes", JSON, nullable=False),
    Column("comment", Text, nullable=True),
)
