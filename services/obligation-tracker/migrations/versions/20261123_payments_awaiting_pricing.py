"""payments awaiting pricing

A claim.paid whose claim has no deadlines yet (its claim.priced travels on another topic and may
come later) is parked until that pricing is applied. `awaiting` says what a parked event waits for
("contract", the default for every existing row, or "claim.priced"); `claim_id` finds a claim's
waiting payments (backfilled from the stored events); `contract_id` becomes optional, since a
payment from an 835 does not name its contract.

Downgrading deletes the payments awaiting pricing that name no contract (the code before this
revision ignored such payments); those that name one go back to waiting for their contract.

Revision ID: bcaed48fe07b
Revises: bfde5aa44902
Create Date: 2026-11-23 04:05:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = 'bcaed48fe07b'
down_revision = 'bfde5aa44902'
branch_labels = None
depends_on = None

parked = sa.table(
    'parked_claim_events',
    sa.column('event_id', sa.String()),
    sa.column('event', sa.JSON()),
    sa.column('claim_id', sa.String()),
    sa.column('contract_id', sa.String()),
    sa.column('awaiting', sa.String()),
)


def upgrade() -> None:
    with op.batch_alter_table('parked_claim_events', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('awaiting', sa.String(length=20), nullable=False, server_default='contract')
        )
        batch_op.add_column(sa.Column('claim_id', sa.String(length=64), nullable=True))
        batch_op.alter_column('contract_id', existing_type=sa.String(length=64), nullable=True)
        batch_op.create_index('ix_parked_claim_events_claim', ['organization_id', 'claim_id'], unique=False)
    connection = op.get_bind()
    for event_id, event in connection.execute(sa.select(parked.c.event_id, parked.c.event)).all():
        claim_id = (event.get('data') or {}).get('claim_id')
        if claim_id:
            connection.execute(
                parked.update().where(parked.c.event_id == event_id).values(claim_id=str(claim_id)[:64])
            )


def downgrade() -> None:
    op.execute(parked.delete().where(parked.c.awaiting != 'contract', parked.c.contract_id.is_(None)))
    with op.batch_alter_table('parked_claim_events', schema=None) as batch_op:
        batch_op.drop_index('ix_parked_claim_events_claim')
        batch_op.alter_column('contract_id', existing_type=sa.String(length=64), nullable=False)
        batch_op.drop_column('claim_id')
        batch_op.drop_column('awaiting')
