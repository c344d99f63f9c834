"""recipient digests and contract version terms

The daily digest becomes one mail per recipient address (lower-cased), organisation and day,
merging every digest subscription that names the address:

- `digests`: one row per (organisation, recipient, day), unique, with its own send state (status,
  next attempt, lease, attempts) and `sealed_at`, set when first claimed for sending;
- `digest_items`: which deliveries each digest carries (a delivery rides in one digest per
  recipient of its subscription);
- `deliveries.via_digest`: the delivery is sent in digests, not on its own.

Upgrading folds the deliveries already waiting for a digest (open deliveries of email
subscriptions with `digest` on) into digests of the day they were due, so none is lost or sent
twice. Downgrading drops the digests; deliveries still waiting keep their `next_attempt_at`, so
the earlier code sends them as a per-subscription digest.

`contract_versions` keeps the terms of each contract version seen, so a contract mail can say
what changed from the previous version.

Revision ID: 3de9fd1749eb
Revises: cdcc0a202159
Create Date: 2026-11-23 04:15:00.000000
"""

import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "3de9fd1749eb"
down_revision = "cdcc0a202159"
branch_labels = None
depends_on = None

OPEN = ("pending", "retrying")

deliveries = sa.table(
    "deliveries",
    sa.column("id", sa.String),
    sa.column("organization_id", sa.String),
    sa.column("subscription_id", sa.String),
    sa.column("channel_kind", sa.String),
    sa.column("status", sa.String),
    sa.column("next_attempt_at", sa.DateTime(timezone=True)),
    sa.column("via_digest", sa.Boolean),
)
subscriptions = sa.table(
    "subscriptions",
    sa.column("id", sa.String),
    sa.column("recipients", sa.JSON),
    sa.column("digest", sa.Boolean),
)


def upgrade() -> None:
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("via_digest", sa.Boolean(), server_default=sa.false(), nullable=False))

    op.create_table(
        "digests",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("organization_id", sa.String(length=64), nullable=False),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column("digest_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sealed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lease_token", sa.String(length=36), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_status_code", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_digests")),
        sa.UniqueConstraint("organization_id", "recipient", "digest_date", name="uq_digests_recipient_day"),
    )
    with op.batch_alter_table("digests", schema=None) as batch_op:
        batch_op.create_index("ix_digests_due", ["status", "next_attempt_at"], unique=False)

    op.create_table(
        "digest_items",
        sa.Column("digest_id", sa.String(length=36), nullable=False),
        sa.Column("delivery_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["delivery_id"], ["deliveries.id"], name=op.f("fk_digest_items_delivery_id_deliveries")
        ),
        sa.ForeignKeyConstraint(["digest_id"], ["digests.id"], name=op.f("fk_digest_items_digest_id_digests")),
        sa.PrimaryKeyConstraint("digest_id", "delivery_id", name="pk_digest_items"),
    )
    with op.batch_alter_table("digest_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_digest_items_delivery_id"), ["delivery_id"], unique=False)

    op.create_table(
        "contract_versions",
        sa.Column("contract_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.String(length=64), nullable=False),
        sa.Column("terms", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("contract_id", "version", name="pk_contract_versions"),
    )

    _fold_waiting_deliveries_into_digests()


def downgrade() -> None:
    op.drop_table("contract_versions")
    with op.batch_alter_table("digest_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_digest_items_delivery_id"))
    op.drop_table("digest_items")
    with op.batch_alter_table("digests", schema=None) as batch_op:
        batch_op.drop_index("ix_digests_due")
    op.drop_table("digests")
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_column("via_digest")


def _fold_waiting_deliveries_into_digests() -> None:
    """Each open delivery of a digest subscription joins its recipients' digests of its due day.

    The rules are written out here (lower-cased recipient, the UTC day it was due) rather than
    imported, so this revision keeps doing what it did whatever the code becomes.
    """
    bind = op.get_bind()
    digests = sa.table(
        "digests",
        *(sa.column(name, sa.String) for name in ("id", "organization_id", "recipient", "status")),
        sa.column("digest_date", sa.Date),
        sa.column("next_attempt_at", sa.DateTime(timezone=True)),
        sa.column("attempts", sa.Integer),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )
    items = sa.table("digest_items", sa.column("digest_id", sa.String), sa.column("delivery_id", sa.String))
    waiting = (
        sa.select(
            deliveries.c.id,
            deliveries.c.organization_id,
            deliveries.c.next_attempt_at,
            subscriptions.c.recipients,
        )
        .join(subscriptions, subscriptions.c.id == deliveries.c.subscription_id)
        .where(
            deliveries.c.status.in_(OPEN),
            deliveries.c.channel_kind == "email",
            subscriptions.c.digest.is_(True),
        )
    )
    now = datetime.now(UTC)
    found: dict[tuple[str, str, object], dict[str, object]] = {}
    carried: list[tuple[str, str]] = []  # (digest id, delivery id)
    for row in bind.execute(waiting).all():
        due = _utc(row.next_attempt_at) or now
        for recipient in sorted({str(r).strip().lower() for r in row.recipients or []}):
            digest = found.setdefault(
                (row.organization_id, recipient, due.date()),
                {
                    "id": str(uuid.uuid4()),
                    "organization_id": row.organization_id,
                    "recipient": recipient,
                    "digest_date": due.date(),
                    "status": "pending",
                    "next_attempt_at": due,
                    "attempts": 0,
                    "created_at": now,
                },
            )
            digest["next_attempt_at"] = min(_utc(digest["next_attempt_at"]) or due, due)
            carried.append((str(digest["id"]), row.id))
    for digest in found.values():
        bind.execute(sa.insert(digests).values(**digest))
    for digest_id, delivery_id in carried:
        bind.execute(sa.insert(items).values(digest_id=digest_id, delivery_id=delivery_id))
        bind.execute(sa.update(deliveries).where(deliveries.c.id == delivery_id).values(via_digest=True))


def _utc(moment: object) -> datetime | None:
    if not isinstance(moment, datetime):
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
