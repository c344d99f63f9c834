"""`notifier serve | migrate | issue-api-key | replay-dead-letters | encrypt-secrets`."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from accord_common.cli import run_cli
from accord_common.migrate import upgrade_async

from notifier.bootstrap import build_runtime, secret_box
from notifier.config import NotifierSettings
from notifier.handlers.secrets import Reencrypted, reencrypt_secrets
from notifier.ports import SecretNotDecryptable

ENCRYPT_SECRETS = "encrypt-secrets"


def main(argv: Sequence[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == ENCRYPT_SECRETS:
        sys.exit(encrypt_secrets(args[1:]))
    sys.exit(run_cli("notifier", build_runtime, "notifier.bootstrap:build_app", args))


def encrypt_secrets(argv: Sequence[str]) -> int:
    """Encrypt every stored signing secret with the first key; prints how many."""
    argparse.ArgumentParser(
        prog=f"notifier {ENCRYPT_SECRETS}",
        description="Encrypt every stored webhook signing secret with the first key of "
        "ACCORD_NOTIFIER_SECRET_ENCRYPTION_KEYS (plain ones, and ones under an older key). Run it "
        "after putting a new key first; the older keys can then be removed.",
    ).parse_args(argv)
    try:
        done = asyncio.run(_encrypt_secrets(NotifierSettings()))
    except SecretNotDecryptable as refusal:
        print(f"refused, nothing was changed: {refusal}", file=sys.stderr)
        return 1
    counts = f"{done.secrets} signing secret(s) of {done.subscriptions} subscription(s)"
    print(f"encrypted {counts} with the first key")
    return 0


async def _encrypt_secrets(settings: NotifierSettings) -> Reencrypted:
    runtime = build_runtime(settings)
    try:
        await upgrade_async(runtime.service_root, settings.database_url)
        return await reencrypt_secrets(runtime.uow(), secret_box(settings))
    finally:
        await runtime.stop()


if __name__ == "__main__":
    main()
