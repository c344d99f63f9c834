"""sign-in: the identity provider each organisation trusts (OpenID Connect)

Revision ID: registry_oidc_0001
Revises: keys_0001
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "registry_oidc_0001"
down_revision = "keys_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "identity_providers",
        sa.Column("organization_id", sa.String(64), primary_key=True),
        sa.Column("issuer", sa.String(500), nullable=False),
        sa.Column("client_id", sa.String(200), nullable=False),
        sa.Column("groups_claim", sa.String(100), nullable=False),
        sa.Column("scopes_by_group", sa.JSON, nullable=False),
        sa.Column("session_hours", sa.Integer, nullable=False),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("identity_providers")
