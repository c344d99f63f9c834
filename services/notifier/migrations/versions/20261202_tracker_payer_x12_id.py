"""contract projection keeps the payer's X12 id

Claims and remittances name the payer by its X12 payer id; keeping it with the contract lets a
claim's mail (an underpayment, a claim deadline) name the payer by name. Filled by each contract
event from now on.

Revision ID: tracker_notifier_payer_x12_0001
Revises: 3de9fd1749eb
Create Date: 2026-12-02 06:15:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = 'tracker_notifier_payer_x12_0001'
down_revision = '3de9fd1749eb'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('contracts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('payer_x12_id', sa.String(length=80), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('contracts', schema=None) as batch_op:
        batch_op.drop_column('payer_x12_id')
