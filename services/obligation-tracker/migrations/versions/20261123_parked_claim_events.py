"""parked claim events

A claim event whose contract has not reached the tracker yet is parked here (keyed by event id, so
a redelivered event parks once) and applied when the contract arrives, instead of being retried
and dead-lettered. The stored event keeps ids, dates and amounts only: no patient data.

Revision ID: c1826dd728b2
Revises: 7fe9933b7732
Create Date: 2026-11-23 03:37:16.123771
"""

from alembic import op
import sqlalchemy as sa


revision = 'c1826dd728b2'
down_revision = '7fe9933b7732'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'parked_claim_events',
        sa.Column('event_id', sa.String(length=36), nullable=False),
        sa.Column('organization_id', sa.String(length=64), nullable=False),
        sa.Column('contract_id', sa.String(length=64), nullable=False),
        sa.Column('event_type', sa.String(length=200), nullable=False),
        sa.Column('event', sa.JSON(), nullable=False),
        sa.Column('parked_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('event_id', name=op.f('pk_parked_claim_events')),
    )
    with op.batch_alter_table('parked_claim_events', schema=None) as batch_op:
        batch_op.create_index(
            'ix_parked_claim_events_contract', ['organization_id', 'contract_id'], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table('parked_claim_events', schema=None) as batch_op:
        batch_op.drop_index('ix_parked_claim_events_contract')
    op.drop_table('parked_claim_events')
