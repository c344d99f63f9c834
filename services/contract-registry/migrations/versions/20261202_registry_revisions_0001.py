"""contracts.revision: counts the changes published for a contract (every contract.* event
carries its revision, so consumers apply the newest content of a version)

Revision ID: registry_revisions_0001
Revises: registry_match_0001
Create Date: 2026-12-02 06:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "registry_revisions_0001"
down_revision = "registry_match_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("contracts") as batch:
        batch.add_column(sa.Column("revision", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("contracts") as batch:
        batch.drop_column("revision")
