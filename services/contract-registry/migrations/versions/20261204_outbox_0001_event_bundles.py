"""outbox rows hold a run of events (accord_common/outbox_bundles.py): their count

Revision ID: outbox_0001
Revises: ratelimit_0001
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "outbox_0001"
down_revision = "ratelimit_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("outbox", sa.Column("event_count", sa.Integer(), nullable=False, server_default="1"))


def downgrade() -> None:
    waiting = op.get_bind().execute(sa.text("SELECT count(*) FROM outbox WHERE event_count > 1")).scalar()
    if waiting:  # a release before this one would send such a row as one record: relay them first
        raise RuntimeError(f"{waiting} outbox rows hold several events: let the relay publish them first")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("event_count")
