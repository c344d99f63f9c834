"""claim deadlines from the version in force; claims named by patient control number

`contract_versions` keeps every version of every contract (a claim's deadlines come from the version
in force on its date of service), backfilled with the one version the `contracts` projection holds.
`claim_pricings` records each claim whose pricing was applied (payments and variances wait for it,
not for the deadlines it may or may not create). Obligations gain the claim's patient control
number and the payer's name.

Downgrading drops the new tables and columns (the latest version stays in `contracts`).

Revision ID: tracker_claim_deadlines_0001
Revises: bcaed48fe07b
Create Date: 2026-12-02 06:00:00.000000
"""

from datetime import date

from alembic import op
import sqlalchemy as sa


revision = 'tracker_claim_deadlines_0001'
down_revision = 'bcaed48fe07b'
branch_labels = None
depends_on = None

contracts = sa.table(
    'contracts',
    sa.column('contract_id', sa.String()),
    sa.column('organization_id', sa.String()),
    sa.column('status', sa.String()),
    sa.column('version', sa.Integer()),
    sa.column('event_time', sa.DateTime(timezone=True)),
    sa.column('version_data', sa.JSON()),
)


def upgrade() -> None:
    versions = op.create_table(
        'contract_versions',
        sa.Column('contract_id', sa.String(length=64), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('organization_id', sa.String(length=64), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('effective_from', sa.Date(), nullable=False),
        sa.Column('effective_to', sa.Date(), nullable=True),
        sa.Column('event_time', sa.DateTime(timezone=True), nullable=False),
        sa.Column('version_data', sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint('contract_id', 'version', name=op.f('pk_contract_versions')),
    )
    op.create_index(
        'ix_contract_versions_org_contract', 'contract_versions', ['organization_id', 'contract_id']
    )
    op.create_table(
        'claim_pricings',
        sa.Column('organization_id', sa.String(length=64), nullable=False),
        sa.Column('claim_id', sa.String(length=64), nullable=False),
        sa.Column('patient_control_number', sa.String(length=64), nullable=True),
        sa.Column('contract_id', sa.String(length=64), nullable=False),
        sa.Column('contract_version', sa.Integer(), nullable=False),
        sa.Column('service_date', sa.Date(), nullable=False),
        sa.Column('received_date', sa.Date(), nullable=True),
        sa.Column('priced_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('organization_id', 'claim_id', name=op.f('pk_claim_pricings')),
    )
    with op.batch_alter_table('obligations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('patient_control_number', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('payer_name', sa.String(length=300), nullable=True))
    connection = op.get_bind()
    for row in connection.execute(sa.select(contracts)).all():
        data = row.version_data or {}
        until = data.get('effective_to')
        connection.execute(
            versions.insert().values(
                contract_id=row.contract_id,
                version=row.version,
                organization_id=row.organization_id,
                status=row.status,
                effective_from=date.fromisoformat(data['effective_from']),
                effective_to=date.fromisoformat(until) if until else None,
                event_time=row.event_time,
                version_data=data,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table('obligations', schema=None) as batch_op:
        batch_op.drop_column('payer_name')
        batch_op.drop_column('patient_control_number')
    op.drop_table('claim_pricings')
    op.drop_index('ix_contract_versions_org_contract', table_name='contract_versions')
    op.drop_table('contract_versions')
