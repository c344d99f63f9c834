"""engine match: contract scope on the projection, organisation locations, ZIP-to-locality file

Revision ID: engine_match_0001
Revises: engine_money_0001
Create Date: 2026-12-02 06:10:00
"""

from alembic import op
import sqlalchemy as sa


revision = 'engine_match_0001'
down_revision = "engine_money_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('contracts') as batch:
        batch.add_column(sa.Column('contract_name', sa.String(length=200), nullable=True))
        batch.add_column(sa.Column('scope', sa.JSON(), nullable=True))
    op.create_table('organization_locations',
    sa.Column('organization_id', sa.String(length=64), nullable=False),
    sa.Column('locations', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('organization_id', name=op.f('pk_organization_locations'))
    )
    op.create_table('zip_localities',
    sa.Column('zip_code', sa.String(length=5), nullable=False),
    sa.Column('state', sa.String(length=2), nullable=False),
    sa.Column('carrier', sa.String(length=5), nullable=False),
    sa.Column('locality', sa.String(length=2), nullable=False),
    sa.Column('year_quarter', sa.String(length=5), nullable=False),
    sa.PrimaryKeyConstraint('zip_code', name=op.f('pk_zip_localities'))
    )


def downgrade() -> None:
    op.drop_table('zip_localities')
    op.drop_table('organization_locations')
    with op.batch_alter_table('contracts') as batch:
        batch.drop_column('scope')
        batch.drop_column('contract_name')
