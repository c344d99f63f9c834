"""The Medicare schedule files loaded (ASC addenda, OPPS Addendum B, CLFS, DMEPOS/PEN, wage
indexes), kept as CMS published them and parsed into releases when read (same metadata as orm.py)."""

from __future__ import annotations

from sqlalchemy import Column, Date, DateTime, Integer, String, Table, Text

from reimbursement_engine.adapters.orm import metadata

medicare_schedule_files = Table(
    "medicare_schedule_files",
    metadata,
    Column("schedule", String(8), primary_key=True),  # ASC, OPPS, CLFS, DMEPOS
    Column("effective_on", Date, primary_key=True),  # the release's first day (wage index: Jan 1)
    Column("part", String(16), primary_key=True),  # AA, BB, EE, FF, B, CLFS, DMEPOS, PEN, wage_index
    Column("filename", String(200), nullable=False),
    Column("content", Text, nullable=False),
    Column("rows_read", Integer, nullable=False),
    Column("rows_refused", Integer, nullable=False),
    Column("loaded_at", DateTime(timezone=True), nullable=False),
)
