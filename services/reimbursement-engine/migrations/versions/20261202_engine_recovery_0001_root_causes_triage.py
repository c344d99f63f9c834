"""engine recovery: root causes of variances, original procedure of a paid line, PLB take-backs tied
to claims, triage rules per organisation, named canary claim sets

Revision ID: engine_recovery_0001
Revises: keys_0001
Create Date: 2026-12-02 10:00:00
"""

from alembic import op
import sqlalchemy as sa

import accord_common.db


revision = "engine_recovery_0001"
down_revision = "keys_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("variances") as batch:
        batch.add_column(sa.Column("root_causes", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("primary_cause", sa.String(length=40), nullable=True))
    with op.batch_alter_table("line_payments") as batch:
        batch.add_column(sa.Column("original_code", sa.String(length=48), nullable=True))
        batch.add_column(sa.Column("original_modifiers", sa.String(length=24), nullable=True))
    with op.batch_alter_table("provider_adjustments") as batch:
        batch.add_column(sa.Column("organization_id", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("claim_id", sa.String(length=36), nullable=True))
    op.create_index(op.f("ix_provider_adjustments_claim_id"), "provider_adjustments", ["claim_id"])
    op.create_table(
        "triage_rules",
        sa.Column("organization_id", sa.String(length=64), nullable=False),
        sa.Column("minimum_amount", accord_common.db.Money(precision=18, scale=6), nullable=False),
        sa.Column("excluded_codes", sa.JSON(), nullable=False),
        sa.Column("excluded_payers", sa.JSON(), nullable=False),
        sa.Column("appeal_window_days", sa.Integer(), nullable=False),
        sa.Column("timely_filing_days", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("organization_id", name=op.f("pk_triage_rules")),
    )
    op.create_table(
        "canary_sets",
        sa.Column("organization_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("claims", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("organization_id", "name", name=op.f("pk_canary_sets")),
    )


def downgrade() -> None:
    op.drop_table("canary_sets")
    op.drop_table("triage_rules")
    op.drop_index(op.f("ix_provider_adjustments_claim_id"), table_name="provider_adjustments")
    with op.batch_alter_table("provider_adjustments") as batch:
        batch.drop_column("claim_id")
        batch.drop_column("organization_id")
    with op.batch_alter_table("line_payments") as batch:
        batch.drop_column("original_modifiers")
        batch.drop_column("original_code")
    with op.batch_alter_table("variances") as batch:
        batch.drop_column("primary_cause")
        batch.drop_column("root_causes")
