"""contract projection: the registry's revision of what is held (contract.* events carry one;
the newest revision of a contract and of each version wins, whatever its version number)

Revision ID: registry_revisions_notifier_0001
Revises: tracker_notifier_payer_x12_0001
Create Date: 2026-12-02 06:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "registry_revisions_notifier_0001"
down_revision = "tracker_notifier_payer_x12_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("contracts", "contract_versions"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("revision", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    for table in ("contracts", "contract_versions"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("revision")
