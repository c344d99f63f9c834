"""engine files: an 835's claims reconciled a chunk a transaction after the file is stored

Revision ID: engine_files_0001
Revises: engine_steps_0001
Create Date: 2026-12-04 03:40:00

`remittance_files` gains its reconciliation's state (status, claims to reconcile and reconciled,
classification counts, last progress, when done); files stored before were reconciled in their
upload's one transaction, so they are "reconciled" (the server default). `reconcile_queue` holds a
stored file's claims not yet reconciled; a chunk's rows leave it in the transaction that reconciles
them, so a restart resumes exactly where the last committed chunk ended.
"""

from alembic import op
import sqlalchemy as sa


revision = "engine_files_0001"
down_revision = "engine_steps_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("remittance_files") as batch:
        batch.add_column(
            sa.Column("reconcile_status", sa.String(16), nullable=False, server_default="reconciled")
        )
        batch.add_column(sa.Column("claims_to_reconcile", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("claims_reconciled", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("classifications", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("progress_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("reconciled_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index(
        "ix_remittance_files_reconciling", "remittance_files", ["reconcile_status", "progress_at"]
    )
    op.create_table(
        "reconcile_queue",
        sa.Column("file_id", sa.String(36), primary_key=True),
        sa.Column("position", sa.Integer(), primary_key=True),
        sa.Column("organization_id", sa.String(64), nullable=False),
        sa.Column("claim_id", sa.String(36), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("reconcile_queue")
    op.drop_index("ix_remittance_files_reconciling", table_name="remittance_files")
    with op.batch_alter_table("remittance_files") as batch:
        for name in (
            "reconciled_at",
            "progress_at",
            "classifications",
            "claims_reconciled",
            "claims_to_reconcile",
            "reconcile_status",
        ):
            batch.drop_column(name)
