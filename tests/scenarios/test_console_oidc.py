"""A revenue-cycle analyst signs in to the console with the hospital's identity provider.

A real OpenID Connect provider (oidc-provider-mock: Authlib's server, over HTTP) holds the staff
directory; the four services run as processes over Kafka on PostgreSQL; a console process is started
for this organisation with the provider configured, and a real headless Chromium walks the sign-in:
the console sends the person to the provider, the provider's form signs them in, the console redeems
the code, the registry verifies the ID token and issues the person's key for the session, which
reaches every service over Kafka. The person works under their groups' scopes; signing out revokes
the key; a colleague whose groups map to no scope is refused with the reason.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from accord_common.devstack.stack import Stack
from accord_common.testing import _process
from accord_common.testing.identity_provider import IdentityProvider, running_identity_provider
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as expected
from selenium.webdriver.support.wait import WebDriverWait

from tests.scenarios.conftest import Tenant, eventually

CLIENT_ID = "accord-console"
ANALYST = "dana.lee@stmarys.example"
CAFETERIA = "sam.cook@stmarys.example"
REVENUE_CYCLE_SCOPES = [
    "claims:read",
    "claims:write",
    "contracts:read",
    "obligations:read",
    "notifications:read",
]
pytestmark = pytest.mark.timeout(900)


@dataclass
class World:
    tenant: Tenant
    idp: IdentityProvider
    console: str


def start_console(stack: Stack, port: int, idp: IdentityProvider, exchange_key: str, log: Path) -> Any:
    """The organisation's console, configured with its identity provider."""
    url = {name: running.url for name, running in stack.services.items()}
    env = os.environ | {
        "ACCORD_CONSOLE_REGISTRY_URL": url["contract-registry"],
        "ACCORD_CONSOLE_ENGINE_URL": url["reimbursement-engine"],
        "ACCORD_CONSOLE_TRACKER_URL": url["obligation-tracker"],
        "ACCORD_CONSOLE_NOTIFIER_URL": url["notifier"],
        "ACCORD_CONSOLE_COOKIE_SECURE": "false",  # plain http on 127.0.0.1
        "ACCORD_CONSOLE_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "ACCORD_CONSOLE_OIDC_ISSUER": idp.issuer,
        "ACCORD_CONSOLE_OIDC_CLIENT_ID": CLIENT_ID,
        "ACCORD_CONSOLE_OIDC_CLIENT_SECRET": "console-secret",
        "ACCORD_CONSOLE_OIDC_EXCHANGE_KEY": exchange_key,
        "ACCORD_CONSOLE_OIDC_LABEL": "St Mary's staff sign-in",
    }
    command = [sys.executable, "-m", "console.cli", "serve", "--port", str(port)]
    with log.open("wb") as out:
        return subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)


@pytest.fixture(scope="module")
def world(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    from tests.scenarios.conftest import issue_keys

    org_id = f"org-oidc-{uuid.uuid4().hex[:8]}"
    tenant = Tenant(stack, org_id, issue_keys(stack, org_id))
    with running_identity_provider() as idp:
        idp.add_person(ANALYST, email=ANALYST, name="Dana Lee", groups=["revenue-cycle", "all-staff"])
        idp.add_person(CAFETERIA, email=CAFETERIA, name="Sam Cook", groups=["all-staff"])
        # the key administrator trusts the provider and maps its groups to scopes
        tenant.put(
            "registry",
            "/v1/identity-provider",
            {
                "issuer": idp.issuer,
                "client_id": CLIENT_ID,
                "scopes_by_group": {"revenue-cycle": REVENUE_CYCLE_SCOPES},
                "session_hours": 8,
            },
        )
        # ... and issues the console its own key, which can only exchange ID tokens
        exchange = tenant.post(
            "registry", "/v1/api-keys", {"name": "console", "scopes": ["sessions:exchange"]}
        )
        port = _process.free_port()
        log = tmp_path_factory.mktemp("console-oidc") / "console.log"
        console = start_console(stack, port, idp, exchange["key"], log)
        try:
            base = f"http://127.0.0.1:{port}"
            eventually("the console", lambda: _answers(f"{base}/healthz"), timeout=180)
            yield World(tenant, idp, base)
        finally:
            console.terminate()
            console.wait(timeout=30)
            tenant.close()


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def sign_in_at_provider(driver: WebDriver, world: World, subject: str, page: str) -> None:
    """From a console page, through the provider's form, back to the console."""
    driver.delete_all_cookies()
    driver.get(world.console + page)
    WebDriverWait(driver, 30).until(expected.url_contains("/sign-in"))
    driver.find_element(By.LINK_TEXT, "Sign in with St Mary's staff sign-in").click()
    WebDriverWait(driver, 60).until(expected.url_contains("/oauth2/authorize"))
    field = driver.find_element(By.NAME, "sub")
    field.send_keys(subject)
    field.submit()


def test_an_analyst_signs_in_with_the_hospitals_identity_provider_and_out_again(
    world: World, browser: WebDriver
) -> None:
    sign_in_at_provider(browser, world, ANALYST, "/worklist")

    # back on the page asked for, signed in under their own name with their groups' scopes
    WebDriverWait(browser, 90).until(expected.url_to_be(world.console + "/worklist"))
    header = browser.find_element(By.CSS_SELECTOR, "header").text
    assert ANALYST in header, header
    keys = world.tenant.get("registry", "/v1/api-keys")["items"]
    session_key = next(k for k in keys if k["name"].startswith(ANALYST))
    assert sorted(session_key["scopes"]) == sorted(REVENUE_CYCLE_SCOPES)
    assert session_key["status"] == "active" and session_key["expires_at"] is not None
    # the same key reads the deadlines (tracker) and the deliveries (notifier): it reached every service
    browser.get(world.console + "/obligations")
    assert "Deadlines" in browser.page_source
    browser.get(world.console + "/notifications")
    assert browser.find_element(By.CSS_SELECTOR, "main h1").text

    # sign out: the session key is revoked on every service
    browser.find_element(By.CSS_SELECTOR, "form.who button").click()
    WebDriverWait(browser, 30).until(expected.url_contains("/sign-in"))
    revoked = world.tenant.get("registry", f"/v1/api-keys/{session_key['id']}")
    assert revoked["status"] == "revoked" and revoked["revoked_at"] is not None
    audit = world.tenant.get("registry", "/v1/audit", limit=200)["items"]
    actions = [e["action"] for e in audit if e["entity_id"] == session_key["id"]]
    assert "person.signed_in" in actions and "person.signed_out" in actions
    browser.get(world.console + "/worklist")
    WebDriverWait(browser, 30).until(expected.url_contains("/sign-in"))


def test_a_colleague_whose_groups_grant_no_scope_is_refused_with_the_reason(
    world: World, browser: WebDriver
) -> None:
    sign_in_at_provider(browser, world, CAFETERIA, "/worklist")

    WebDriverWait(browser, 90).until(expected.url_contains("/sign-in/oidc/callback"))
    alert = browser.find_element(By.CSS_SELECTOR, "[role=alert]").text
    assert "none of this person's groups" in alert, alert
    names = [k["name"] for k in world.tenant.get("registry", "/v1/api-keys", include_revoked=True)["items"]]
    assert not any(name.startswith(CAFETERIA) for name in names)  # no key was made
