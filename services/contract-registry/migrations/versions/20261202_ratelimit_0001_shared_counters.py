"""rate limit counters shared by the service's workers (a row a key or client address and minute;
UNLOGGED on PostgreSQL: a count lost in a crash costs nothing)

Revision ID: ratelimit_0001
Revises: registry_oidc_0001
Create Date: 2026-12-02
"""

from accord_common.tables import rate_limit_hits_columns
from alembic import op

revision = "ratelimit_0001"
down_revision = "registry_oidc_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    unlogged = ["UNLOGGED"] if op.get_bind().dialect.name == "postgresql" else []
    op.create_table("rate_limit_hits", *rate_limit_hits_columns(), prefixes=unlogged)


def downgrade() -> None:
    op.drop_table("rate_limit_hits")
