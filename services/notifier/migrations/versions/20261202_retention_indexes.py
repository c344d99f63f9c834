"""retention: index inbox rows by when they were processed (published outbox rows already are)

Revision ID: common_retention_0001
Revises: registry_revisions_notifier_0001
Create Date: 2026-12-02
"""

from alembic import op

revision = "common_retention_0001"
down_revision = "registry_revisions_notifier_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_inbox_processed_at", "inbox", ["processed_at"])


def downgrade() -> None:
    op.drop_index("ix_inbox_processed_at", table_name="inbox")
