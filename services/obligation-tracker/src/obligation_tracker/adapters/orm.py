"""The tracker's tables (its own database) plus the shared infrastructure tables.

Claim obligations carry the claim's patient control number and the payer's name (how staff read a
deadline); no other patient data is kept.
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
    text,
)

metadata = new_metadata()
add_infra_tables(metadata)

contracts = Table(
    "contracts",
    metadata,
    Column("contract_id", String(64), primary_key=True),
    Column("organization_id", String(64), nullable=False, index=True),
    Column("payer_id", String(64), nullable=False),
    Column("status", String(20), nullable=False),
    Column("version", Integer, nullable=False),
    Column("event_time", DateTime(timezone=True), nullable=False),
    Column("version_data", JSON, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# Every version of every contract, as its events carried it (the newest content of each version):
# a claim's deadlines come from the version in force on its date of service.
contract_versions = Table(
    "contract_versions",
    metadata,
    Column("contract_id", String(64), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("organization_id", String(64), nullable=False),
    Column("status", String(20), nullable=False),
    Column("effective_from", Date, nullable=False),
    Column("effective_to", Date, nullable=True),
    Column("event_time", DateTime(timezone=True), nullable=False),
    Column("version_data", JSON, nullable=False),
    Index("ix_contract_versions_org_contract", "organization_id", "contract_id"),
)

# Each claim whose claim.priced was applied: the contract version and dates its deadlines come
# from. A payment or variance waits for this row, never for the deadlines it may or may not create.
claim_pricings = Table(
    "claim_pricings",
    metadata,
    Column("organization_id", String(64), primary_key=True),
    Column("claim_id", String(64), primary_key=True),
    Column("patient_control_number", String(64), nullable=True),
    Column("contract_id", String(64), nullable=False),
    Column("contract_version", Integer, nullable=False),
    Column("service_date", Date, nullable=False),
    Column("received_date", Date, nullable=True),
    Column("priced_at", DateTime(timezone=True), nullable=False),
)

obligations = Table(
    "obligations",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("organization_id", String(64), nullable=False),
    Column("natural_key", String(400), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("status", String(20), nullable=False),
    Column("due_date", Date, nullable=False),
    Column("due_at", DateTime(timezone=True), nullable=False),
    Column("contract_id", String(64), nullable=False),
    Column("claim_id", String(64), nullable=True),
    Column("payer_id", String(64), nullable=True),
    Column("patient_control_number", String(64), nullable=True),  # claim deadlines only
    Column("payer_name", String(300), nullable=True),
    Column("title", String(400), nullable=False),
    Column("description", Text, nullable=False),
    Column("reasons", JSON, nullable=False),
    Column("snoozed_until", DateTime(timezone=True), nullable=True),
    Column("interest_owed", Money(), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("natural_key", name="uq_obligations_natural_key"),
    Index("ix_obligations_org_due", "organization_id", "due_date", "id"),
    Index("ix_obligations_contract", "organization_id", "contract_id"),
    Index("ix_obligations_claim", "organization_id", "claim_id"),
    Index("ix_obligations_open_due", "status", "due_date"),
)

obligation_history = Table(
    "obligation_history",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("obligation_id", String(36), nullable=False, index=True),
    Column("organization_id", String(64), nullable=False),
    Column("action", String(40), nullable=False),
    Column("from_status", String(20), nullable=True),
    Column("to_status", String(20), nullable=False),
    Column("due_date", Date, nullable=False),
    Column("actor", String(200), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("comment", Text, nullable=True),
)

org_settings = Table(
    "org_settings",
    metadata,
    Column("organization_id", String(64), primary_key=True),
    Column("time_zone", String(64), nullable=False),
    Column("holiday_country", String(8), nullable=False),
    Column("holiday_subdivision", String(16), nullable=True),
    Column("lead_days", JSON, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("updated_by", String(200), nullable=False),
)

reminders_sent = Table(
    "reminders_sent",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("obligation_id", String(36), nullable=False),
    # "90", "60" ... for obligation.due_soon at that lead time, "overdue" for obligation.overdue
    Column("reminder", String(16), nullable=False),
    # the due date the reminder was for: a moved deadline is reminded again for its new date
    Column("due_date", Date, nullable=False),
    Column("event_id", String(36), nullable=False),
    Column("sent_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint(
        "obligation_id", "reminder", "due_date", name="uq_reminders_sent_obligation_reminder_due"
    ),
)

calendar_feeds = Table(
    "calendar_feeds",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("organization_id", String(64), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("token_hash", String(64), nullable=False),
    Column("include_settled", Boolean, nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
    UniqueConstraint("token_hash", name="uq_calendar_feeds_token_hash"),
)

kpi_measures = Table(
    "kpi_measures",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("organization_id", String(64), nullable=False, index=True),
    Column("contract_id", String(64), nullable=False),
    Column("name", String(200), nullable=False),
    Column("direction", String(20), nullable=False),
    Column("target", Money(), nullable=False),
    Column("weight", Money(), nullable=False),
    Column("period_start", Date, nullable=False),
    Column("period_end", Date, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # "staff" (POST /v1/kpis/measures) or "contract" (a version's value-based terms); only the
    # contract's are kept in line with its versions
    Column("defined_by", String(20), nullable=False, server_default="staff"),
    Column("contract_version", Integer, nullable=True),  # the version that last changed it
    Column("changes", JSON, nullable=False, server_default=text("'[]'")),  # what each version did
    Column("updated_at", DateTime(timezone=True), nullable=True),
    Column("retired_at", DateTime(timezone=True), nullable=True),
    Column("retired_reason", Text, nullable=True),
    Index("ix_kpi_measures_contract", "organization_id", "contract_id"),
)

kpi_readings = Table(
    "kpi_readings",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("measure_id", String(36), nullable=False),
    Column("recorded_on", Date, nullable=False),
    Column("value", Money(), nullable=False),
    Column("recorded_by", String(200), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("measure_id", "recorded_on", name="uq_kpi_readings_measure_day"),
)

kpi_alerts = Table(
    "kpi_alerts",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("measure_id", String(36), nullable=False),
    Column("reading_date", Date, nullable=False),
    Column("event_id", String(36), nullable=False),
    Column("sent_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("measure_id", "reading_date", name="uq_kpi_alerts_measure_reading"),
)

# Claim events that arrived before what they need, applied (and deleted) when it arrives:
# `awaiting` "contract" (any claim event whose contract or contract version is unknown),
# "claim.priced" (a payment or variance of a claim whose pricing has not been applied) or
# "claim.variance_detected" (a variance status change before its appeal deadline exists). The
# event id is the key, so a redelivered event parks once.
parked_claim_events = Table(
    "parked_claim_events",
    metadata,
    Column("event_id", String(36), primary_key=True),
    Column("organization_id", String(64), nullable=False),
    Column("contract_id", String(64), nullable=True),  # a payment may not name its contract
    Column("event_type", String(200), nullable=False),
    Column("event", JSON, nullable=False),  # the envelope; its data keeps ids, dates and amounts only
    Column("parked_at", DateTime(timezone=True), nullable=False),
    Column("awaiting", String(20), nullable=False, server_default="contract"),
    Column("claim_id", String(64), nullable=True),
    Index("ix_parked_claim_events_contract", "organization_id", "contract_id"),
    Index("ix_parked_claim_events_claim", "organization_id", "claim_id"),
)
