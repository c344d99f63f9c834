"""Tables and indexes beside orm.py's (same metadata): CMS MS-DRG relative weights by fiscal year,
and the claims' one-live-claim-per-patient-control-number rule."""

from __future__ import annotations

from accord_common.db import Money
from sqlalchemy import Column, Date, DateTime, Index, Integer, String, Table, text

from reimbursement_engine.adapters.orm import claims, metadata

# Claims a replacement (frequency 7) superseded or a void (8) cancelled stay for the record.
RETIRED_STATUSES = ("replaced", "voided")
_LIVE = text("status NOT IN ('replaced', 'voided')")
uq_claims_org_pcn_live = Index(
    "uq_claims_org_pcn_live",
    claims.c.organization_id,
    claims.c.patient_control_number,
    unique=True,
    sqlite_where=_LIVE,
    postgresql_where=_LIVE,
)

msdrg_weights = Table(
    "msdrg_weights",
    metadata,
    Column("fiscal_year", Integer, primary_key=True),
    Column("drg", String(4), primary_key=True),
    Column("weight", Money, nullable=False),
    Column("description", String(300), nullable=True),
)

# One row per reference data set and year loaded: its generation grows on every load, so each
# process's caches see that a year was (re)loaded elsewhere with one small query.
reference_loads = Table(
    "reference_loads",
    metadata,
    Column("kind", String(16), primary_key=True),  # "medicare" (calendar year), "msdrg" (fiscal year)
    Column("year", Integer, primary_key=True),
    Column("generation", Integer, nullable=False),
    Column("loaded_at", DateTime(timezone=True), nullable=False),
)

# A physician fee schedule release of a year (RVU26C): in force from `effective_on` until the year's
# next release; `conversion_factor` is the one its RVU file states.
medicare_releases = Table(
    "medicare_releases",
    metadata,
    Column("year", Integer, primary_key=True),
    Column("release", String(8), primary_key=True),
    Column("effective_on", Date, nullable=False),
    Column("conversion_factor", Money, nullable=True),
    Column("loaded_at", DateTime(timezone=True), nullable=False),
)
