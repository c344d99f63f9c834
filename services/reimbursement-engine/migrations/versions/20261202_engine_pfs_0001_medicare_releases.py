"""medicare: physician fee schedule releases within a year (RVU26A..D, each in force from its
quarter), the payment policy indicators (BILAT SURG, ASST SURG, CO SURG) and the work GPCI
without the 1.0 floor

Revision ID: engine_pfs_0001
Revises: common_retention_0001
Create Date: 2026-12-02 10:00:00.000000
"""

from alembic import op
import sqlalchemy as sa
import accord_common.db


revision = 'engine_pfs_0001'
down_revision = 'common_retention_0001'
branch_labels = None
depends_on = None

_KEYS = {
    'medicare_rvus': ('year', 'release', 'hcpcs', 'modifier'),
    'medicare_gpcis': ('year', 'release', 'mac', 'locality'),
    'medicare_anesthesia_cfs': ('year', 'release', 'mac', 'locality'),
    'medicare_opps_caps': ('year', 'release', 'hcpcs', 'modifier', 'mac', 'locality'),
}


def upgrade() -> None:
    for table, key in _KEYS.items():
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column('release', sa.String(length=8), nullable=False, server_default=''))
            batch.drop_constraint(f'pk_{table}', type_='primary')
            batch.create_primary_key(f'pk_{table}', list(key))
    with op.batch_alter_table('medicare_rvus') as batch:
        for column in ('bilat_surg', 'asst_surg', 'co_surg'):
            batch.add_column(sa.Column(column, sa.String(length=2), nullable=False, server_default=''))
    with op.batch_alter_table('medicare_gpcis') as batch:
        batch.add_column(
            sa.Column('work_without_floor', accord_common.db.Money(precision=18, scale=6), nullable=True)
        )
    op.create_table('medicare_releases',
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('release', sa.String(length=8), nullable=False),
    sa.Column('effective_on', sa.Date(), nullable=False),
    sa.Column('conversion_factor', accord_common.db.Money(precision=18, scale=6), nullable=True),
    sa.Column('loaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('year', 'release', name=op.f('pk_medicare_releases'))
    )


def downgrade() -> None:
    op.drop_table('medicare_releases')
    with op.batch_alter_table('medicare_gpcis') as batch:
        batch.drop_column('work_without_floor')
    with op.batch_alter_table('medicare_rvus') as batch:
        for column in ('bilat_surg', 'asst_surg', 'co_surg'):
            batch.drop_column(column)
    for table, key in _KEYS.items():
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(f'pk_{table}', type_='primary')
            batch.create_primary_key(f'pk_{table}', [c for c in key if c != 'release'])
            batch.drop_column('release')
