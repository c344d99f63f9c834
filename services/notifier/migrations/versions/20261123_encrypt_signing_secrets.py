"""encrypt signing secrets

Webhook signing secrets were stored in plain text in `subscriptions.secrets`
(`[{"value": "whsec_...", "retires_at": iso | null}]`). From this revision on, each value is
stored as `enc:v1:` followed by a Fernet token under the first key of
ACCORD_NOTIFIER_SECRET_ENCRYPTION_KEYS; `retires_at` stays as it was.

Upgrading encrypts every plain value in place, deleted subscriptions included, in the migration's
transaction. The keys are read as the service reads them (NotifierSettings, from the
environment: the development key outside production, and production refuses to run without
keys), so run it with the service's environment, as `notifier migrate` and the service's start
do. Values already encrypted are left alone, so running it twice changes nothing.

Downgrading decrypts the values back to plain text (what the earlier code reads); it needs a key
that opens them.

The stored form is written out here rather than imported from the adapter, so this revision
keeps doing what it did whatever the adapter becomes. It needs a connection: offline (--sql)
mode cannot encrypt and is refused.

Revision ID: cdcc0a202159
Revises: c9938a734896
Create Date: 2026-11-23 03:40:00.000000
"""

from collections.abc import Callable

import sqlalchemy as sa
from alembic import context, op
from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from notifier.config import NotifierSettings

revision = "cdcc0a202159"
down_revision = "c9938a734896"
branch_labels = None
depends_on = None

ENCRYPTED_PREFIX = "enc:v1:"
subscriptions = sa.table("subscriptions", sa.column("id", sa.String), sa.column("secrets", sa.JSON))


def upgrade() -> None:
    keys = _keys()

    def encrypt(value: str) -> str:
        if value.startswith(ENCRYPTED_PREFIX):
            return value
        return ENCRYPTED_PREFIX + keys.encrypt(value.encode("utf-8")).decode("ascii")

    _rewrite_values(encrypt)


def downgrade() -> None:
    keys = _keys()

    def decrypt(value: str) -> str:
        if not value.startswith(ENCRYPTED_PREFIX):
            return value
        try:
            return keys.decrypt(value.removeprefix(ENCRYPTED_PREFIX)).decode("utf-8")
        except InvalidToken:
            raise RuntimeError(
                "a signing secret does not decrypt with ACCORD_NOTIFIER_SECRET_ENCRYPTION_KEYS; "
                "add the key it was encrypted with"
            ) from None

    _rewrite_values(decrypt)


def _keys() -> MultiFernet:
    if context.is_offline_mode():
        raise RuntimeError("encrypting signing secrets needs a database connection: run without --sql")
    return MultiFernet([Fernet(key) for key in NotifierSettings().encryption_keys()])


def _rewrite_values(change: Callable[[str], str]) -> None:
    bind = op.get_bind()
    query = sa.select(subscriptions.c.id, subscriptions.c.secrets).where(subscriptions.c.secrets.is_not(None))
    for row in bind.execute(query).all():
        current = list(row.secrets or [])
        rewritten = [{**item, "value": change(item["value"])} for item in current]
        if rewritten != current:
            bind.execute(
                sa.update(subscriptions).where(subscriptions.c.id == row.id).values(secrets=rewritten)
            )
