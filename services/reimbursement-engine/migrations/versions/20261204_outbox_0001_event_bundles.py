"""outbox rows hold a run of events (accord_common/outbox_bundles.py): their count

Revision ID: outbox_0001
Revises: engine_files_0001
Create Date: 2026-12-04
"""

from accord_common.migrate import add_outbox_event_count, drop_outbox_event_count

revision = "outbox_0001"
down_revision = "engine_files_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_outbox_event_count()


def downgrade() -> None:
    drop_outbox_event_count()
