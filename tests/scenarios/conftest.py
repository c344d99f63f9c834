"""Scenario fixtures: each scenario works as its own provider organisation on the shared stack.

The stack (four services as processes on PostgreSQL + Apache Kafka, see tests/conftest.py) is shared by
every end-to-end test; a scenario issues API keys for a fresh organisation on every service (through each
service's own `issue-api-key` CLI, as an operator would), so worklists, totals and deadlines it checks to
the cent and to the day hold only its own data.
"""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from accord_common.auth import ALL_SCOPES
from accord_common.devstack.stack import SERVICES, Stack
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service as ChromeService
from selenium.webdriver.remote.webdriver import WebDriver

T = TypeVar("T")
SHORT = {
    "registry": "contract-registry",
    "engine": "reimbursement-engine",
    "tracker": "obligation-tracker",
    "notifier": "notifier",
}


@dataclass
class Tenant:
    """One provider organisation's view of the running stack: a key per service, plain httpx calls."""

    stack: Stack
    org_id: str
    keys: dict[str, str]
    clients: dict[str, httpx.Client] = field(default_factory=dict)

    def client(self, service: str) -> httpx.Client:
        name = SHORT.get(service, service)
        if name not in self.clients:
            self.clients[name] = httpx.Client(
                base_url=self.stack.services[name].url,
                headers={"Authorization": f"Bearer {self.keys[name]}"},
                timeout=30,
            )
        return self.clients[name]

    def call(self, method: str, service: str, path: str, **kwargs: Any) -> httpx.Response:
        """Any request; the response is returned as is (tests assert on 4xx too)."""
        return self.client(service).request(method, path, **kwargs)

    def post(self, service: str, path: str, body: Any = None, **kwargs: Any) -> Any:
        """POST JSON (or files/content via kwargs) and return the JSON answer; 4xx/5xx fail the test."""
        if body is not None:
            kwargs["json"] = body
        return _ok(self.call("POST", service, path, **kwargs))

    def put(self, service: str, path: str, body: Any) -> Any:
        return _ok(self.call("PUT", service, path, json=body))

    def patch(self, service: str, path: str, body: Any) -> Any:
        return _ok(self.call("PATCH", service, path, json=body))

    def get(self, service: str, path: str, **params: Any) -> Any:
        return _ok(self.call("GET", service, path, params=params))

    def close(self) -> None:
        for client in self.clients.values():
            client.close()


def _ok(response: httpx.Response) -> Any:
    if response.status_code >= 400:
        raise AssertionError(
            f"{response.request.method} {response.request.url.path} -> {response.status_code}: {response.text}"
        )
    return response.json() if response.content else None


def issue_keys(stack: Stack, org_id: str) -> dict[str, str]:
    """Issue a key with every scope for `org_id` on every running service, through its CLI."""
    keys: dict[str, str] = {}
    for spec in SERVICES:
        if spec.name not in stack.services or not spec.owns_data:
            continue
        module = spec.command.replace("-", "_") + ".cli"
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                module,
                "issue-api-key",
                "--org",
                org_id,
                "--name",
                "scenario",
                "--scopes",
                ",".join(sorted(ALL_SCOPES)),
            ],
            capture_output=True,
            text=True,
            env=stack.env_for(spec),
            check=True,
            timeout=120,
        )
        keys[spec.name] = done.stdout.strip().splitlines()[-1]
    return keys


@pytest.fixture
def new_tenant(stack: Stack) -> Any:
    """A factory: `new_tenant("stmarys")` -> a Tenant of a fresh organisation."""
    made: list[Tenant] = []

    def make(label: str = "scenario") -> Tenant:
        org_id = f"org-{label}-{uuid.uuid4().hex[:8]}"
        tenant = Tenant(stack, org_id, issue_keys(stack, org_id))
        made.append(tenant)
        return tenant

    yield make
    for tenant in made:
        tenant.close()


def eventually(what: str, check: Callable[[], T | None], timeout: float = 60) -> T:
    """Poll `check` until it returns something truthy: events cross the broker asynchronously."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        try:
            value = check()
        except AssertionError as exc:  # a check may assert on partial state while events flow
            last, value = exc, None
        if value:
            return value
        time.sleep(0.25)
    raise TimeoutError(f"timed out waiting for {what}" + (f" (last: {last})" if last else ""))


CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    """A real headless Chromium (Debian's package) driven by Selenium, for the console's pages."""
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        pytest.fail(
            "Chromium is missing: scripts/ensure-system-deps.sh installs chromium and chromium-driver"
        )
    options = Options()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=ChromeService(CHROMEDRIVER), options=options)
    driver.implicitly_wait(5)
    yield driver
    driver.quit()
