"""managed API keys (the registry is their authority) and segregation of duties: expiry, last use,
holder, per-key rate limit; the audit trail's key id; who submitted a contract; the organisation's
distinct-approvers rule

Revision ID: keys_0001
Revises: common_retention_0001
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from accord_common.tables import key_management_columns
from alembic import op

revision = "keys_0001"
down_revision = "common_retention_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("api_keys") as batch:
        for column in key_management_columns():
            batch.add_column(column)
    op.add_column("audit_log", sa.Column("actor_key_id", sa.String(36), nullable=True))
    op.add_column("contracts", sa.Column("submitted_by_key_id", sa.String(36), nullable=True))
    op.add_column(
        "organisations",
        sa.Column("distinct_approvers", sa.Boolean(), nullable=False, server_default=sa.true()),
    )


def downgrade() -> None:
    op.drop_column("organisations", "distinct_approvers")
    op.drop_column("contracts", "submitted_by_key_id")
    op.drop_column("audit_log", "actor_key_id")
    with op.batch_alter_table("api_keys") as batch:
        for column in reversed(key_management_columns()):
            batch.drop_column(column.name)
