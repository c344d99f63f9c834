"""Re-encrypt every stored signing secret with the first key (after a key rotation, or plain ones)."""

from __future__ import annotations

from dataclasses import dataclass

from accord_common.uow import UnitOfWork

from notifier.adapters.stored_secrets import StoredSecrets
from notifier.ports import SecretBox, SecretNotDecryptable


@dataclass(frozen=True)
class Reencrypted:
    subscriptions: int
    secrets: int


async def reencrypt_secrets(uow: UnitOfWork, box: SecretBox) -> Reencrypted:
    """All or nothing: one secret that no key opens leaves every row as it was."""
    async with uow:
        store = StoredSecrets(uow.session)
        rows = await store.all_for_update()
        count = 0
        for row in rows:
            try:
                stored = [{**item, "value": box.reencrypt(item["value"])} for item in row.secrets or []]
            except SecretNotDecryptable as refusal:
                raise SecretNotDecryptable(f"subscription {row.id}: {refusal}") from None
            await store.replace(row.id, stored)
            count += len(stored)
        await uow.commit()
    return Reencrypted(len(rows), count)
