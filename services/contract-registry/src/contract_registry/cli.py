"""`contract-registry serve | migrate | issue-api-key | replay-dead-letters`."""

import sys

from accord_common.cli import run_cli

from contract_registry.bootstrap import build_runtime


def main() -> None:
    sys.exit(run_cli("contract-registry", build_runtime, "contract_registry.bootstrap:build_app"))


if __name__ == "__main__":
    main()
