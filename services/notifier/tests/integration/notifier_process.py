"""The notifier as a real process (`notifier serve`), for tests that stop it with a signal."""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from accord_common.testing import _process
from notifier_harness import free_port

API_KEY = "acc_itproc_notifier-process-test-key-0123456789"


def process_env(
    org: str, database_url: str, bootstrap: str, smtp_port: int, **overrides: Any
) -> dict[str, str]:
    """The environment of a notifier process on this database, broker and mail server."""
    values: dict[str, Any] = {
        "service_name": f"notifier-proc-{org}",
        "database_url": database_url,
        "kafka_bootstrap": bootstrap,
        "smtp_port": smtp_port,
        "webhook_allow_private": "127.0.0.0/8,::1/128",
        "dispatcher_interval_seconds": 0.1,
        "retry_delays_seconds": [0.3, 0.3, 0.3],
        "log_json": False,
        "links_base_url": "https://accord.clinic.example",
        "environment": "development",
        "bootstrap_api_key": API_KEY,
        "bootstrap_org_id": org,
    } | overrides
    env = {k: v for k, v in os.environ.items() if not k.startswith("ACCORD_")}
    for name, value in values.items():
        env[f"ACCORD_NOTIFIER_{name.upper()}"] = json.dumps(value) if isinstance(value, list) else str(value)
    return env


@dataclass
class NotifierProcess:
    popen: Any
    port: int
    log_path: Path

    @classmethod
    def start(cls, env: dict[str, str], log_path: Path, timeout: float = 90) -> NotifierProcess:
        port = free_port()
        popen = _process.spawn(
            [sys.executable, "-m", "notifier.cli", "serve", "--port", str(port)], log_path=log_path, env=env
        )
        started = cls(popen, port, log_path)
        deadline = time.monotonic() + timeout
        while not started.ready():
            if popen.poll() is not None or time.monotonic() > deadline:
                started.kill()
                raise AssertionError(f"the notifier did not start:\n{_process.tail(log_path)}")
            time.sleep(0.3)
        return started

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def ready(self) -> bool:
        try:
            return httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            base_url=self.url, headers={"Authorization": f"Bearer {API_KEY}"}, timeout=30
        )

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 60) -> int:
        """Send `sig` and wait for the process to exit; its exit status."""
        self.popen.send_signal(sig)
        return int(self.popen.wait(timeout=timeout))

    def kill(self) -> None:
        _process.stop_process(self.popen, sig=signal.SIGKILL, timeout=10)
