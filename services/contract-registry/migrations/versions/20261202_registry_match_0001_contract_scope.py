"""registry match: contract scope (claim types, types of bill, billing TINs / NPIs)

Revision ID: registry_match_0001
Revises: 64af6aceaf95
Create Date: 2026-12-02 06:20:00
"""

from alembic import op
import sqlalchemy as sa


revision = 'registry_match_0001'
down_revision = '64af6aceaf95'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('contracts') as batch:
        batch.add_column(sa.Column('scope', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('contracts') as batch:
        batch.drop_column('scope')
