"""The engine's tables (its own database) plus the shared infrastructure tables.

Claim lines, line payments and variance lines are written with bulk Core inserts (no ORM objects).
"""

from __future__ import annotations

from accord_common.db import Money, new_metadata
from accord_common.tables import BigId, add_infra_tables
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = new_metadata()
add_infra_tables(metadata)

# --- projection of the registry's contracts (built from contract.* and fee_schedule.published) ---
contracts = Table(
    "contracts",
    metadata,
    Column("contract_id", String(64), primary_key=True),
    Column("organization_id", String(64), nullable=False, index=True),
    Column("payer_id", String(80), nullable=False),
    Column("payer_x12_id", String(80), nullable=True),
    Column("status", String(20), nullable=False),
    Column("latest_version", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    # contract-level matching criteria (line of business, plans, claim types, billing TINs/NPIs)
    Column("contract_name", String(200), nullable=True),
    Column("scope", JSON, nullable=True),
)

contract_versions = Table(
    "contract_versions",
    metadata,
    Column("contract_id", String(64), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("organization_id", String(64), nullable=False),
    Column("effective_from", Date, nullable=False),
    Column("effective_to", Date, nullable=True),
    Column("retroactive", Boolean, nullable=False),
    Column("fee_schedule_hash", String(64), nullable=True),
    Column("data", JSON, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
)

fee_schedule_chunks = Table(
    "fee_schedule_chunks",
    metadata,
    Column("content_hash", String(64), primary_key=True),
    Column("chunk_index", Integer, primary_key=True),
    Column("schedule_id", String(64), nullable=False),
    Column("organization_id", String(64), nullable=False),
    Column("chunk_count", Integer, nullable=False),
    Column("rows", JSON, nullable=False),
)

fee_schedules = Table(
    "fee_schedules",
    metadata,
    Column("content_hash", String(64), primary_key=True),
    Column("schedule_id", String(64), nullable=False),
    Column("organization_id", String(64), nullable=False, index=True),
    Column("row_count", Integer, nullable=False),
    Column("rows", JSON, nullable=False),
    Column("assembled_at", DateTime(timezone=True), nullable=False),
)

# --- Medicare reference data by year (CMS PFS files) ---
medicare_rvus = Table(
    "medicare_rvus",
    metadata,
    Column("year", Integer, primary_key=True),
    Column("release", String(8), primary_key=True, server_default=""),
    Column("hcpcs", String(8), primary_key=True),
    Column("modifier", String(4), primary_key=True),
    Column("status", String(2), nullable=False),
    Column("work", Money, nullable=False),
    Column("pe_non_facility", Money, nullable=False),
    Column("pe_facility", Money, nullable=False),
    Column("mp", Money, nullable=False),
    Column("mult_proc", String(2), nullable=False),
    Column("non_facility_na", Boolean, nullable=False),
    Column("facility_na", Boolean, nullable=False),
    Column("bilat_surg", String(2), nullable=False, server_default=""),
    Column("asst_surg", String(2), nullable=False, server_default=""),
    Column("co_surg", String(2), nullable=False, server_default=""),
)

medicare_gpcis = Table(
    "medicare_gpcis",
    metadata,
    Column("year", Integer, primary_key=True),
    Column("release", String(8), primary_key=True, server_default=""),
    Column("mac", String(8), primary_key=True),
    Column("locality", String(4), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("state", String(4), nullable=False),
    Column("work", Money, nullable=False),
    Column("pe", Money, nullable=False),
    Column("mp", Money, nullable=False),
    Column("work_without_floor", Money, nullable=True),
)

medicare_anesthesia_cfs = Table(
    "medicare_anesthesia_cfs",
    metadata,
    Column("year", Integer, primary_key=True),
    Column("release", String(8), primary_key=True, server_default=""),
    Column("mac", String(8), primary_key=True),  # 00000-00: the national conversion factor
    Column("locality", String(4), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("conversion_factor", Money, nullable=False),
)

medicare_opps_caps = Table(
    "medicare_opps_caps",
    metadata,
    Column("year", Integer, primary_key=True),
    Column("release", String(8), primary_key=True, server_default=""),
    Column("hcpcs", String(8), primary_key=True),
    Column("modifier", String(4), primary_key=True),
    Column("mac", String(8), primary_key=True),
    Column("locality", String(4), primary_key=True),
    Column("facility", Money, nullable=False),
    Column("non_facility", Money, nullable=False),
)

# --- claims and their expected prices ---
claims = Table(
    "claims",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("organization_id", String(64), nullable=False),
    Column("patient_control_number", String(64), nullable=False),
    Column("payer_id", String(80), nullable=False),
    Column("requested_contract_id", String(64), nullable=True),
    Column("contract_id", String(64), nullable=True),
    Column("contract_version", Integer, nullable=True),
    Column("status", String(24), nullable=False),
    Column("status_reason", Text, nullable=True),
    Column("service_date", Date, nullable=False),
    Column("service_to", Date, nullable=False),
    Column("received_date", Date, nullable=False),
    Column("total_charge", Money, nullable=False),
    Column("expected_allowed", Money, nullable=True),
    Column("flags", JSON, nullable=False),
    Column("explanation", Text, nullable=True),  # text of claims priced before explanation_steps
    Column("explanation_steps", Text, nullable=True),  # adapters.explanation_store's JSON
    Column("submitted", JSON, nullable=False),
    Column("source", String(12), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("priced_at", DateTime(timezone=True), nullable=True),
    Column("pricing_completeness", String(16), nullable=True),  # PricingCompleteness once priced
    # one live claim per patient control number: see orm_reference.uq_claims_org_pcn_live
    Index("ix_claims_org_status", "organization_id", "status"),
    Index("ix_claims_contract_date", "contract_id", "service_date"),
)

claim_lines = Table(
    "claim_lines",
    metadata,
    Column("claim_id", String(36), primary_key=True),
    Column("line_number", Integer, primary_key=True),
    Column("code_system", String(12), nullable=False),
    Column("code", String(12), nullable=False),
    Column("modifiers", String(24), nullable=False),
    Column("units", Money, nullable=False),
    Column("charge", Money, nullable=False),
    Column("revenue_code", String(8), nullable=True),
    Column("service_date", Date, nullable=False),
    Column("place_of_service", String(2), nullable=True),
    Column("invoice_cost", Money, nullable=True),
    Column("status", String(16), nullable=True),
    Column("term", String(200), nullable=True),
    Column("expected_allowed", Money, nullable=True),
    Column("unpriced_reason", Text, nullable=True),
)

# --- remittances (835 files, JSON remittances, claim.paid events) ---
remittance_files = Table(
    "remittance_files",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("organization_id", String(64), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("kind", String(8), nullable=False),
    Column("byte_count", Integer, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    # the file's claims are reconciled after it is stored, a chunk a transaction (handlers/
    # file_reconciliation.py): "reconciling" until the last chunk commits, then "reconciled"
    Column("reconcile_status", String(16), nullable=False, server_default="reconciled"),
    Column("claims_to_reconcile", Integer, nullable=False, server_default="0"),
    Column("claims_reconciled", Integer, nullable=False, server_default="0"),
    Column("classifications", JSON, nullable=True),  # {classification: claims} so far
    Column("progress_at", DateTime(timezone=True), nullable=True),  # last chunk committed (or stored)
    Column("reconciled_at", DateTime(timezone=True), nullable=True),
    UniqueConstraint("organization_id", "sha256", name="uq_remittance_files_org_sha"),
    Index("ix_remittance_files_reconciling", "reconcile_status", "progress_at"),
)

# a stored file's paid claims still to reconcile, in the order the file first paid them
reconcile_queue = Table(
    "reconcile_queue",
    metadata,
    Column("file_id", String(36), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("organization_id", String(64), nullable=False),
    Column("claim_id", String(36), nullable=False),
)

remittances = Table(
    "remittances",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("organization_id", String(64), nullable=False),
    Column("file_id", String(36), nullable=True),
    Column("trace_number", String(80), nullable=False),
    Column("payer_id", String(80), nullable=False),
    Column("payer_name", String(200), nullable=True),
    Column("total_paid", Money, nullable=False),
    Column("payment_date", Date, nullable=True),
    Column("received_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("organization_id", "payer_id", "trace_number", name="uq_remittances_trace"),
)

claim_payments = Table(
    "claim_payments",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("organization_id", String(64), nullable=False),
    Column("remittance_id", String(36), nullable=False, index=True),
    Column("claim_id", String(36), nullable=True, index=True),
    Column("patient_control_number", String(64), nullable=False),
    Column("payer_claim_control_number", String(80), nullable=True),
    Column("status_code", String(4), nullable=False),
    Column("charge", Money, nullable=False),
    Column("paid", Money, nullable=False),
    Column("patient_responsibility", Money, nullable=False),
    Column("paid_date", Date, nullable=True),
    Column("adjustments", JSON, nullable=False),
    Column("remark_codes", JSON, nullable=False),
    Column("reversed_by", String(36), nullable=True),
    Column("reverses", String(36), nullable=True),
    Index("ix_claim_payments_org_pcn", "organization_id", "patient_control_number"),
)

line_payments = Table(
    "line_payments",
    metadata,
    Column("claim_payment_id", String(36), primary_key=True),
    Column("line_index", Integer, primary_key=True),
    Column("code", String(48), nullable=True),
    Column("modifiers", String(24), nullable=False),
    Column("charge", Money, nullable=False),
    Column("paid", Money, nullable=False),
    Column("allowed", Money, nullable=True),
    Column("units", Money, nullable=True),
    Column("service_date", Date, nullable=True),
    Column("line_control_number", String(50), nullable=True),
    Column("adjustments", JSON, nullable=False),
    Column("remark_codes", JSON, nullable=False),
    # SVC06: the procedure as billed when the payer adjudicated another (SVC01)
    Column("original_code", String(48), nullable=True),
    Column("original_modifiers", String(24), nullable=True),
)

provider_adjustments = Table(
    "provider_adjustments",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("remittance_id", String(36), nullable=False, index=True),
    Column("provider_id", String(80), nullable=False),
    Column("fiscal_period_date", Date, nullable=False),
    Column("reason_code", String(8), nullable=False),
    Column("reference", String(80), nullable=True),
    Column("amount", Money, nullable=False),
    # a recoupment tied to the claim it takes back (PLB03-2 reference)
    Column("organization_id", String(64), nullable=True),
    Column("claim_id", String(36), nullable=True, index=True),
)

# --- variances, their worklist state and audit trail ---
variances = Table(
    "variances",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("organization_id", String(64), nullable=False),
    Column("claim_id", String(36), nullable=False, unique=True),
    Column("claim_payment_id", String(36), nullable=False),
    Column("patient_control_number", String(64), nullable=False),
    Column("payer_id", String(80), nullable=False),
    Column("contract_id", String(64), nullable=True),
    Column("classification", String(24), nullable=False),
    Column("status", String(16), nullable=False),
    Column("expected_allowed", Money, nullable=False),
    Column("paid", Money, nullable=False),
    Column("patient_responsibility", Money, nullable=False),
    Column("variance", Money, nullable=False),
    Column("carcs", JSON, nullable=False),
    Column("remittance_date", Date, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("root_causes", JSON, nullable=True),  # domain.root_causes: each cause with its evidence
    Column("primary_cause", String(40), nullable=True),
    Index("ix_variances_org_status", "organization_id", "status"),
)

variance_lines = Table(
    "variance_lines",
    metadata,
    Column("variance_id", String(36), primary_key=True),
    Column("line_number", Integer, primary_key=True),
    Column("code", String(12), nullable=False),
    Column("carc", String(8), nullable=False),
    Column("expected_allowed", Money, nullable=False),
    Column("paid", Money, nullable=False),
    Column("patient_responsibility", Money, nullable=False),
    Column("variance", Money, nullable=False),
)

variance_audit = Table(
    "variance_audit",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("variance_id", String(36), nullable=False, index=True),
    Column("organization_id", String(64), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("from_status", String(16), nullable=True),
    Column("to_status", String(16), nullable=False),
    Column("note", Text, nullable=True),
    Column("amount", Money, nullable=True),
    Column("at", DateTime(timezone=True), nullable=False),
)

# --- organisation settings and margin inputs ---
organization_settings = Table(
    "organization_settings",
    metadata,
    Column("organization_id", String(64), primary_key=True),
    Column("variance_tolerance", Money, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

triage_rules = Table(
    "triage_rules",
    metadata,
    Column("organization_id", String(64), primary_key=True),
    Column("minimum_amount", Money, nullable=False),
    Column("excluded_codes", JSON, nullable=False),
    Column("excluded_payers", JSON, nullable=False),
    Column("appeal_window_days", Integer, nullable=False),
    Column("timely_filing_days", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# named claims priced under a proposed contract version before go-live (never stored as claims)
canary_sets = Table(
    "canary_sets",
    metadata,
    Column("organization_id", String(64), primary_key=True),
    Column("name", String(120), primary_key=True),
    Column("claims", JSON, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

code_costs = Table(
    "code_costs",
    metadata,
    Column("organization_id", String(64), primary_key=True),
    Column("code_system", String(12), primary_key=True),
    Column("code", String(12), primary_key=True),
    Column("cost", Money, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# --- the organisation's locations (organisation.updated) and CMS's ZIP-to-locality file ---
organization_locations = Table(
    "organization_locations",
    metadata,
    Column("organization_id", String(64), primary_key=True),
    Column("locations", JSON, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

zip_localities = Table(
    "zip_localities",
    metadata,
    Column("zip_code", String(5), primary_key=True),
    Column("state", String(2), nullable=False),
    Column("carrier", String(5), nullable=False),
    Column("locality", String(2), nullable=False),
    Column("year_quarter", String(5), nullable=False),
    # RURAL IND: '' urban, R rural, B super rural; NULL loaded before the engine kept it
    Column("rural_indicator", String(1), nullable=True),
)
