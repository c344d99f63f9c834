"""engine steps: a priced claim's explanation stored as its steps (JSON), rendered on read

Revision ID: engine_steps_0001
Revises: ratelimit_0001
Create Date: 2026-12-02 14:30:00

Claims priced from now on store `explanation_steps` (adapters/explanation_store.py's compact JSON)
and leave `explanation` NULL; claims priced before keep their text in `explanation` (no rewrite:
reads take either; a re-pricing stores steps). Downgrade renders nothing back: run it only before
claims are priced under this revision, or re-price them after.
"""

from alembic import op
import sqlalchemy as sa


revision = "engine_steps_0001"
down_revision = "ratelimit_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("claims", sa.Column("explanation_steps", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("claims", "explanation_steps")
