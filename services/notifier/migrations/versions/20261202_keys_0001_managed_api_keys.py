"""managed API keys: expiry, last use, holder, per-key rate limit, source and revision (the projection
of the registry's keys)

Revision ID: keys_0001
Revises: common_retention_0001
Create Date: 2026-12-02
"""

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


def downgrade() -> None:
    with op.batch_alter_table("api_keys") as batch:
        for column in reversed(key_management_columns()):
            batch.drop_column(column.name)
