"""Start and stop the four services (and, if asked, tansu and the SMTP sink) as real processes.

Used by `make run`, `make demo` and the end-to-end tests, so what the tests prove is what a
developer runs.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from accord_common.testing import _process
from accord_common.testing.kafka import TansuProcess, start_tansu


@dataclass(frozen=True, slots=True)
class ServiceSpec:
    name: str
    command: str
    env_prefix: str
    port: int
    owns_data: bool = True  # False: the console, which has no database and issues no API keys


SERVICES = (
    ServiceSpec("contract-registry", "contract-registry", "ACCORD_REGISTRY_", 8101),
    ServiceSpec("reimbursement-engine", "reimbursement-engine", "ACCORD_ENGINE_", 8102),
    ServiceSpec("obligation-tracker", "obligation-tracker", "ACCORD_TRACKER_", 8103),
    ServiceSpec("notifier", "notifier", "ACCORD_NOTIFIER_", 8104),
    ServiceSpec("console", "console", "ACCORD_CONSOLE_", 8105, owns_data=False),
)
DEV_API_KEY = "acc_devlocal_accord-development-key-not-for-production"
DEV_ORG = "org-demo"


@dataclass
class StackConfig:
    data_dir: Path
    kafka_bootstrap: str | None = None  # None: start tansu
    kafka_port: int = 19092
    smtp_port: int = 1025
    start_smtp_sink: bool = True
    database_urls: dict[str, str] = field(default_factory=dict)  # default: SQLite files
    port_offset: int = 0
    extra_env: dict[str, str] = field(default_factory=dict)
    services: tuple[str, ...] = tuple(s.name for s in SERVICES)


@dataclass
class RunningService:
    spec: ServiceSpec
    port: int
    popen: subprocess.Popen[bytes]
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


class Stack:
    def __init__(self, config: StackConfig) -> None:
        self.config = config
        self.tansu: TansuProcess | None = None
        self.smtp: subprocess.Popen[bytes] | None = None
        self.services: dict[str, RunningService] = {}
        self.kafka_bootstrap = config.kafka_bootstrap or f"127.0.0.1:{config.kafka_port}"

    @property
    def mail_dir(self) -> Path:
        return self.config.data_dir / "mail"

    def start(self, timeout: float = 90.0) -> None:
        (self.config.data_dir / "logs").mkdir(parents=True, exist_ok=True)
        if self.config.kafka_bootstrap is None:
            self.tansu = start_tansu(self.config.kafka_port, self.config.data_dir / "logs")
        if self.config.start_smtp_sink:
            self.smtp = _process.spawn(
                [
                    sys.executable,
                    "-m",
                    "accord_common.devstack.smtp_sink",
                    "--dir",
                    str(self.mail_dir),
                    "--port",
                    str(self.config.smtp_port),
                ],
                log_path=self.config.data_dir / "logs" / "smtp-sink.log",
            )
        for name in self.config.services:
            self.start_service(name)
        self.wait_ready(timeout)

    def env_for(self, spec: ServiceSpec) -> dict[str, str]:
        p = spec.env_prefix
        db = self.config.database_urls.get(spec.name) or (
            f"sqlite+aiosqlite:///{self.config.data_dir / (spec.name + '.db')}"
        )
        env = dict(os.environ)
        env.update(
            {
                f"{p}DATABASE_URL": db,
                f"{p}KAFKA_BOOTSTRAP": self.kafka_bootstrap,
                f"{p}BOOTSTRAP_API_KEY": DEV_API_KEY,
                f"{p}BOOTSTRAP_ORG_ID": DEV_ORG,
                f"{p}ENVIRONMENT": "development",
                f"{p}PUBLIC_BASE_URL": f"http://127.0.0.1:{spec.port + self.config.port_offset}",
                "ACCORD_NOTIFIER_SMTP_HOST": "127.0.0.1",
                "ACCORD_NOTIFIER_SMTP_PORT": str(self.config.smtp_port),
                "ACCORD_NOTIFIER_WEBHOOK_ALLOW_PRIVATE": "127.0.0.0/8,::1/128",
                "ACCORD_REGISTRY_DOCUMENTS_DIR": str(self.config.data_dir / "documents"),
            }
        )
        env.update(self._console_env())
        env.update(self.config.extra_env)
        return env

    def _console_env(self) -> dict[str, str]:
        """The console reads the services' APIs; the notifier's mail links point at the console."""
        url = {s.name: f"http://127.0.0.1:{s.port + self.config.port_offset}" for s in SERVICES}
        return {
            "ACCORD_CONSOLE_REGISTRY_URL": url["contract-registry"],
            "ACCORD_CONSOLE_ENGINE_URL": url["reimbursement-engine"],
            "ACCORD_CONSOLE_TRACKER_URL": url["obligation-tracker"],
            "ACCORD_CONSOLE_NOTIFIER_URL": url["notifier"],
            "ACCORD_CONSOLE_COOKIE_SECURE": "false",  # plain http on 127.0.0.1 during development
            "ACCORD_NOTIFIER_LINKS_BASE_URL": url["console"],
        }

    def start_service(self, name: str) -> RunningService:
        spec = next(s for s in SERVICES if s.name == name)
        port = spec.port + self.config.port_offset
        log_path = self.config.data_dir / "logs" / f"{name}.log"
        popen = _process.spawn(
            [sys.executable, "-m", _module_of(spec), "serve", "--port", str(port)],
            log_path=log_path,
            env=self.env_for(spec),
        )
        running = RunningService(spec, port, popen, log_path)
        self.services[name] = running
        return running

    def wait_ready(self, timeout: float = 90.0, names: list[str] | None = None) -> None:
        deadline = time.monotonic() + timeout
        for name in names or list(self.services):
            svc = self.services[name]
            while not _ready(svc.url):
                if svc.popen.poll() is not None:
                    raise RuntimeError(f"{name} exited:\n{_process.tail(svc.log_path)}")
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{name} not ready:\n{_process.tail(svc.log_path)}")
                time.sleep(0.3)

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        svc = self.services[name]
        svc.popen.send_signal(sig)
        svc.popen.wait(timeout=30)

    def stop(self) -> None:
        for svc in self.services.values():  # signal all first, so they shut down in parallel
            if svc.popen.poll() is None:
                svc.popen.send_signal(signal.SIGTERM)
        for svc in self.services.values():
            _process.stop_process(svc.popen, timeout=10)
        if self.smtp is not None:
            _process.stop_process(self.smtp, timeout=5)
        if self.tansu is not None:
            self.tansu.stop()


def _module_of(spec: ServiceSpec) -> str:
    return spec.command.replace("-", "_") + ".cli"


def _ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/readyz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False
