"""medicare: OPPS payment caps by locality and anesthesia conversion factors by locality

Revision ID: 4c1e0d2a9f37
Revises: 9b937b91499e
Create Date: 2026-11-23 03:40:00.000000
"""

from alembic import op
import sqlalchemy as sa
import accord_common.db


revision = '4c1e0d2a9f37'
down_revision = '9b937b91499e'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('medicare_anesthesia_cfs',
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('mac', sa.String(length=8), nullable=False),
    sa.Column('locality', sa.String(length=4), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('conversion_factor', accord_common.db.Money(precision=18, scale=6), nullable=False),
    sa.PrimaryKeyConstraint('year', 'mac', 'locality', name=op.f('pk_medicare_anesthesia_cfs'))
    )
    op.create_table('medicare_opps_caps',
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('hcpcs', sa.String(length=8), nullable=False),
    sa.Column('modifier', sa.String(length=4), nullable=False),
    sa.Column('mac', sa.String(length=8), nullable=False),
    sa.Column('locality', sa.String(length=4), nullable=False),
    sa.Column('facility', accord_common.db.Money(precision=18, scale=6), nullable=False),
    sa.Column('non_facility', accord_common.db.Money(precision=18, scale=6), nullable=False),
    sa.PrimaryKeyConstraint('year', 'hcpcs', 'modifier', 'mac', 'locality', name=op.f('pk_medicare_opps_caps'))
    )


def downgrade() -> None:
    op.drop_table('medicare_opps_caps')
    op.drop_table('medicare_anesthesia_cfs')
