"""contract kpi measures

KPI measures now also come from a contract version's value-based terms: `defined_by` says whose
a measure is ("staff" through the API, the default for every existing row, or "contract"), with
the contract version that last changed it, what each version changed, and when and why a measure
whose term left the contract was retired (retired measures are kept with their readings).

Revision ID: bfde5aa44902
Revises: c1826dd728b2
Create Date: 2026-11-23 04:00:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = 'bfde5aa44902'
down_revision = 'c1826dd728b2'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('kpi_measures', schema=None) as batch_op:
        batch_op.add_column(sa.Column('defined_by', sa.String(length=20), nullable=False, server_default='staff'))
        batch_op.add_column(sa.Column('contract_version', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('changes', sa.JSON(), nullable=False, server_default=sa.text("'[]'")))
        batch_op.add_column(sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('retired_reason', sa.Text(), nullable=True))
        batch_op.create_index('ix_kpi_measures_contract', ['organization_id', 'contract_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('kpi_measures', schema=None) as batch_op:
        batch_op.drop_index('ix_kpi_measures_contract')
        batch_op.drop_column('retired_reason')
        batch_op.drop_column('retired_at')
        batch_op.drop_column('updated_at')
        batch_op.drop_column('changes')
        batch_op.drop_column('contract_version')
        batch_op.drop_column('defined_by')
