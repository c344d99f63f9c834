"""Webhook signing secrets encrypted at rest with Fernet (AES-128-CBC, then HMAC-SHA256).

A stored secret is `enc:v1:` followed by a Fernet token. The keys are tried as MultiFernet does:
the first encrypts, every one decrypts, so a key is rotated by putting a new one first,
re-encrypting (`notifier encrypt-secrets`), then dropping the old one. A value without the
prefix is a secret stored in plain text before encryption at rest; it is read as it is, and the
migration that brought encryption (or `notifier encrypt-secrets`) encrypts it.
"""

from __future__ import annotations

from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from notifier.ports import SecretNotDecryptable

ENCRYPTED_PREFIX = "enc:v1:"
_ANY_VERSION = "enc:"
KEYS_VARIABLE = "ACCORD_NOTIFIER_SECRET_ENCRYPTION_KEYS"


class FernetSecretBox:
    """Encrypts with the first key, decrypts with any. Never shows its keys (not even in repr)."""

    __slots__ = ("_fernet", "_key_count")

    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise ValueError("at least one key is needed")
        try:
            fernets = [Fernet(key.strip()) for key in keys]
        except ValueError:  # said in our words: nothing of the key is echoed
            raise ValueError(
                "each key must be 32 url-safe base64-encoded bytes (Fernet.generate_key())"
            ) from None
        self._fernet = MultiFernet(fernets)
        self._key_count = len(fernets)

    def __repr__(self) -> str:
        return f"FernetSecretBox(keys={self._key_count})"

    def encrypt(self, secret: str) -> str:
        return ENCRYPTED_PREFIX + self._fernet.encrypt(secret.encode("utf-8")).decode("ascii")

    def decrypt(self, stored: str) -> str:
        if not _encrypted(stored):
            return stored  # plain, from before encryption at rest
        try:
            return self._fernet.decrypt(stored.removeprefix(ENCRYPTED_PREFIX)).decode("utf-8")
        except InvalidToken:
            raise _not_decryptable(self._key_count) from None

    def reencrypt(self, stored: str) -> str:
        if not _encrypted(stored):
            return self.encrypt(stored)
        try:
            token = self._fernet.rotate(stored.removeprefix(ENCRYPTED_PREFIX))
            return ENCRYPTED_PREFIX + token.decode("ascii")
        except InvalidToken:
            raise _not_decryptable(self._key_count) from None


def _encrypted(stored: str) -> bool:
    if stored.startswith(ENCRYPTED_PREFIX):
        return True
    if stored.startswith(_ANY_VERSION):
        raise SecretNotDecryptable(f"a stored signing secret is in an unknown form ({stored[:7]!r}...)")
    return False


def _not_decryptable(key_count: int) -> SecretNotDecryptable:
    return SecretNotDecryptable(
        f"a stored signing secret does not decrypt with any of the {key_count} key(s) in {KEYS_VARIABLE}; "
        "add the key it was encrypted with (after the current one) and run `notifier encrypt-secrets`"
    )
