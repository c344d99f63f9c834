"""engine money: pricing completeness on claims and lines; reference data load generations

Revision ID: engine_money_0001
Revises: 4c1e0d2a9f37
Create Date: 2026-12-02 06:10:00
"""

from alembic import op
import sqlalchemy as sa


revision = 'engine_money_0001'
down_revision = '4c1e0d2a9f37'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('claims', sa.Column('pricing_completeness', sa.String(length=16), nullable=True))
    op.add_column('claim_lines', sa.Column('unpriced_reason', sa.Text(), nullable=True))
    op.create_table('reference_loads',
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('generation', sa.Integer(), nullable=False),
    sa.Column('loaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('kind', 'year', name=op.f('pk_reference_loads'))
    )
    # years loaded before generations were recorded start at generation 1
    op.execute(
        "INSERT INTO reference_loads (kind, year, generation, loaded_at) "
        "SELECT 'medicare', year, 1, CURRENT_TIMESTAMP FROM (SELECT DISTINCT year FROM medicare_gpcis) y"
    )
    op.execute(
        "INSERT INTO reference_loads (kind, year, generation, loaded_at) "
        "SELECT 'msdrg', fiscal_year, 1, CURRENT_TIMESTAMP "
        "FROM (SELECT DISTINCT fiscal_year FROM msdrg_weights) w"
    )


def downgrade() -> None:
    op.drop_table('reference_loads')
    op.drop_column('claim_lines', 'unpriced_reason')
    op.drop_column('claims', 'pricing_completeness')
