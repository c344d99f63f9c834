"""`python -m console.cli serve --port N`: the staff console."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="accord-console")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the console")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8105)
    serve.add_argument("--workers", type=int, default=1)
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    import uvicorn

    uvicorn.run(
        "console.bootstrap:build_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_config=None,
        access_log=False,
    )


if __name__ == "__main__":
    main()
