"""`obligation-tracker serve | migrate | issue-api-key | replay-dead-letters`."""

import sys

from accord_common.cli import run_cli

from obligation_tracker.bootstrap import build_runtime


def main() -> None:
    sys.exit(run_cli("obligation-tracker", build_runtime, "obligation_tracker.bootstrap:build_app"))


if __name__ == "__main__":
    main()
