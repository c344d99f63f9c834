"""`python -m accord_common.devstack run|demo`: the embedded stack for `make run` and `make demo`."""

from __future__ import annotations

import argparse
import signal
import sys
import time
from pathlib import Path

import httpx

from accord_common.devstack.demo import run_demo
from accord_common.devstack.stack import DEV_API_KEY, DEV_ORG, SERVICES, Stack, StackConfig


def _urls(port_offset: int = 0) -> dict[str, str]:
    return {s.name: f"http://127.0.0.1:{s.port + port_offset}" for s in SERVICES}


def _stack_up(urls: dict[str, str]) -> bool:
    try:
        return all(httpx.get(f"{u}/readyz", timeout=2).status_code == 200 for u in urls.values())
    except httpx.HTTPError:
        return False


def run(data_dir: Path, keep_running: bool = True, config: StackConfig | None = None) -> Stack:
    stack = Stack(config or StackConfig(data_dir=data_dir))
    print(f"starting Accord (data in {data_dir}) ...", flush=True)
    try:
        stack.start()
    except BaseException:
        stack.stop()
        raise
    print(f"broker (tansu):        {stack.kafka_bootstrap}")
    print(f"SMTP sink:             127.0.0.1:{stack.config.smtp_port} -> {stack.mail_dir}")
    for name, svc in stack.services.items():
        print(f"{name + ':':22} {svc.url}  (docs {svc.url}/docs, log {svc.log_path})")
    print(f"development API key:   {DEV_API_KEY}  (organisation {DEV_ORG})")
    if keep_running:
        print("Ctrl-C stops everything.", flush=True)
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        # a shell that starts us in the background ignores SIGINT; Ctrl-C must still stop the stack
        signal.signal(signal.SIGINT, signal.default_int_handler)
        try:
            while all(s.popen.poll() is None for s in stack.services.values()):
                time.sleep(1)
            print("a service exited; stopping the stack", file=sys.stderr)
        except (KeyboardInterrupt, SystemExit):
            print("\nstopping ...")
        finally:
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the cleanup short
            stack.stop()
    return stack


def demo(data_dir: Path) -> int:
    urls = _urls()
    stack = None
    if not _stack_up(urls):
        stack = run(data_dir, keep_running=False)
    try:
        ok = run_demo(urls, data_dir / "mail")
    finally:
        if stack is not None:
            stack.stop()
    print("demo: OK" if ok else "demo: FAILED")
    return 0 if ok else 1


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m accord_common.devstack")
    parser.add_argument("command", choices=["run", "demo"])
    parser.add_argument("--data-dir", type=Path, default=Path(".data"))
    parser.add_argument("--port-offset", type=int, default=0, help="added to the services' ports")
    parser.add_argument("--kafka-port", type=int, default=19092)
    parser.add_argument("--smtp-port", type=int, default=1025)
    args = parser.parse_args()
    data_dir = args.data_dir.resolve()
    if args.command == "run":
        run(
            data_dir,
            config=StackConfig(
                data_dir=data_dir,
                port_offset=args.port_offset,
                kafka_port=args.kafka_port,
                smtp_port=args.smtp_port,
            ),
        )
        sys.exit(0)
    sys.exit(demo(data_dir))


if __name__ == "__main__":
    main()
