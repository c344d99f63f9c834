"""outbox rows hold a run of events (accord_common/outbox_bundles.py): their count; payloads lz4

Revision ID: outbox_0001
Revises: engine_files_0001
Create Date: 2026-12-04
"""

from accord_common.migrate import bundle_outbox_rows, unbundle_outbox_rows

revision = "outbox_0001"
down_revision = "engine_files_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bundle_outbox_rows()


def downgrade() -> None:
    unbundle_outbox_rows()
