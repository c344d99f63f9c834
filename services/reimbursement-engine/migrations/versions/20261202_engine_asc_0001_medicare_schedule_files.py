"""engine asc: Medicare schedule files (ASC, OPPS, CLFS, DMEPOS) by schedule, effective date and part

Revision ID: engine_asc_0001
Revises: engine_packets_0001
Create Date: 2026-12-02 10:20:00
"""

from alembic import op
import sqlalchemy as sa


revision = "engine_asc_0001"
down_revision = "engine_packets_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "medicare_schedule_files",
        sa.Column("schedule", sa.String(length=8), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("part", sa.String(length=16), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("rows_read", sa.Integer(), nullable=False),
        sa.Column("rows_refused", sa.Integer(), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("schedule", "effective_on", "part", name=op.f("pk_medicare_schedule_files")),
    )


def downgrade() -> None:
    op.drop_table("medicare_schedule_files")
