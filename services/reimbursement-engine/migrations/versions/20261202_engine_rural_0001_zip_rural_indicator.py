"""engine rural: CMS's ZIP5 rural indicator kept with each ZIP (DMEPOS rural / non-rural amounts)

Revision ID: engine_rural_0001
Revises: engine_asc_0001
Create Date: 2026-12-02 13:45:00

NULL: the ZIP was loaded before the indicator was kept (reload the ZIP5 file); '' urban, 'R'
rural, 'B' super rural, as the file says.
"""

from alembic import op
import sqlalchemy as sa


revision = "engine_rural_0001"
down_revision = "engine_asc_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("zip_localities", sa.Column("rural_indicator", sa.String(length=1), nullable=True))


def downgrade() -> None:
    op.drop_column("zip_localities", "rural_indicator")
