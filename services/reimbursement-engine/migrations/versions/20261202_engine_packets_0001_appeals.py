"""appeal packets: appeals, the variances each cites, their audit trail, letter templates

Revision ID: engine_packets_0001
Revises: engine_recovery_0001
Create Date: 2026-12-02
"""

from alembic import op
import sqlalchemy as sa
import accord_common.db

revision = "engine_packets_0001"
down_revision = "engine_recovery_0001"
branch_labels = None
depends_on = None

Money = accord_common.db.Money


def upgrade() -> None:
    op.create_table(
        "appeals",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("organization_id", sa.String(64), nullable=False),
        sa.Column("reference", sa.String(40), nullable=False),
        sa.Column("payer_id", sa.String(80), nullable=False),
        sa.Column("contract_id", sa.String(64), nullable=False),
        sa.Column("contract_version", sa.Integer(), nullable=False),
        sa.Column("variance_ids", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("amount_due", Money(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("recipients", sa.JSON(), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("amount_paid", Money(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appeals")),
    )
    op.create_index("ix_appeals_org_status", "appeals", ["organization_id", "status"])
    op.create_table(
        "appeal_variances",
        sa.Column("appeal_id", sa.String(36), nullable=False),
        sa.Column("variance_id", sa.String(36), nullable=False),
        sa.PrimaryKeyConstraint("appeal_id", "variance_id", name=op.f("pk_appeal_variances")),
    )
    op.create_index(op.f("ix_appeal_variances_variance_id"), "appeal_variances", ["variance_id"])
    op.create_table(
        "appeal_audit",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("appeal_id", sa.String(36), nullable=False),
        sa.Column("organization_id", sa.String(64), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("from_status", sa.String(16), nullable=True),
        sa.Column("to_status", sa.String(16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("amount", Money(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appeal_audit")),
    )
    op.create_index(op.f("ix_appeal_audit_appeal_id"), "appeal_audit", ["appeal_id"])
    op.create_table(
        "appeal_templates",
        sa.Column("organization_id", sa.String(64), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("organization_id", name=op.f("pk_appeal_templates")),
    )


def downgrade() -> None:
    op.drop_table("appeal_templates")
    op.drop_index(op.f("ix_appeal_audit_appeal_id"), table_name="appeal_audit")
    op.drop_table("appeal_audit")
    op.drop_index(op.f("ix_appeal_variances_variance_id"), table_name="appeal_variances")
    op.drop_table("appeal_variances")
    op.drop_index("ix_appeals_org_status", table_name="appeals")
    op.drop_table("appeals")
