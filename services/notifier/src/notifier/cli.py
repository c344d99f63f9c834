"""`notifier serve | migrate | issue-api-key | replay-dead-letters`."""

import sys

from accord_common.cli import run_cli

from notifier.bootstrap import build_runtime


def main() -> None:
    sys.exit(run_cli("notifier", build_runtime, "notifier.bootstrap:build_app"))


if __name__ == "__main__":
    main()
