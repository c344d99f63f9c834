"""reminders keyed by due date

A reminder is sent once per (obligation, lead time, due date): when a deadline moves, the lead
times still ahead of the new date are reminded again. Rows already sent are backfilled with their
obligation's current due date, so nothing is resent on upgrade.

Revision ID: 7fe9933b7732
Revises: 5d75ef1ff4fe
Create Date: 2026-11-23 01:15:29.583990
"""

from alembic import op
import sqlalchemy as sa


revision = '7fe9933b7732'
down_revision = '5d75ef1ff4fe'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('reminders_sent', schema=None) as batch_op:
        batch_op.add_column(sa.Column('due_date', sa.Date(), nullable=True))
    op.execute(
        "UPDATE reminders_sent SET due_date = ("
        "SELECT obligations.due_date FROM obligations WHERE obligations.id = reminders_sent.obligation_id)"
    )
    op.execute("DELETE FROM reminders_sent WHERE due_date IS NULL")  # obligations that no longer exist
    with op.batch_alter_table('reminders_sent', schema=None) as batch_op:
        batch_op.alter_column('due_date', existing_type=sa.Date(), nullable=False)
        batch_op.drop_constraint('uq_reminders_sent_obligation_reminder', type_='unique')
        batch_op.create_unique_constraint(
            'uq_reminders_sent_obligation_reminder_due', ['obligation_id', 'reminder', 'due_date']
        )


def downgrade() -> None:
    # Keep the latest row of each (obligation, reminder) so the narrower key holds again.
    op.execute(
        "DELETE FROM reminders_sent WHERE id NOT IN ("
        "SELECT max(id) FROM reminders_sent GROUP BY obligation_id, reminder)"
    )
    with op.batch_alter_table('reminders_sent', schema=None) as batch_op:
        batch_op.drop_constraint('uq_reminders_sent_obligation_reminder_due', type_='unique')
        batch_op.create_unique_constraint(
            'uq_reminders_sent_obligation_reminder', ['obligation_id', 'reminder']
        )
        batch_op.drop_column('due_date')
