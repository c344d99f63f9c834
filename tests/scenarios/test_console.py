"""A revenue-cycle analyst works an underpayment in the console, from the email to the audit trail.

The four services and the console run as real processes over Kafka on PostgreSQL; a real headless
Chromium (Debian's package, driven by Selenium) signs in with the analyst's personal API key, follows
the link in the variance email the notifier really sent (an .eml file of the stack's SMTP sink), reads
the claim's pricing explanation, appeals the variance with a note and sees it in the audit trail.

Set ACCORD_CONSOLE_SCREENSHOTS=docs/console to refresh the screenshots in docs/console.md.
"""

from __future__ import annotations

import email
import email.policy
import os
import re
import secrets
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from accord_common.auth import ALL_SCOPES
from accord_common.devstack.demo_money import underpaying_remittance
from accord_common.devstack.stack import SERVICES, Stack
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as expected
from selenium.webdriver.support.wait import WebDriverWait

from tests.scenarios.conftest import Tenant, eventually
from tests.scenarios.workflows import activate_acme_professional

SHOTS = os.environ.get("ACCORD_CONSOLE_SCREENSHOTS")
# Everything but admin; the auditor may read only (the console must offer them no action).
ANALYST_SCOPES = ",".join(sorted(ALL_SCOPES - {"admin"}))
READER_SCOPES = "contracts:read,claims:read,obligations:read,notifications:read"
SLOW = 240  # seconds for events to cross the broker on a machine shared by several test suites
pytestmark = pytest.mark.timeout(900)  # each CLI start (key issuance) is slow on a busy machine


def personal_keys(stack: Stack, people: list[tuple[str, str, str]]) -> list[str]:
    """One key per person (organisation, name, scopes), stored on every service through its CLI
    (issue-api-key --key-from-stdin); all issued at once, as each CLI start is slow on a busy machine."""
    keys = [f"acc_{secrets.token_hex(6)}_{secrets.token_urlsafe(32)}" for _ in people]
    running = []
    for key, (org_id, name, scopes) in zip(keys, people, strict=True):
        for spec in (s for s in SERVICES if s.owns_data):
            command = [sys.executable, "-m", f"{spec.command.replace('-', '_')}.cli", "issue-api-key"]
            command += ["--org", org_id, "--name", name, "--scopes", scopes, "--key-from-stdin"]
            process = subprocess.Popen(
                command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=stack.env_for(spec),
            )
            running.append((spec.name, process, key))
    for name, process, key in running:
        _, err = process.communicate(key + "\n", timeout=600)
        assert process.returncode == 0, f"issue-api-key on {name}: {err}"
    return keys


@dataclass
class World:
    """St Mary's (an analyst, a read-only auditor, two underpaid claims) and Riverside (an outsider)."""

    stmarys: Tenant
    reader_key: str
    outsider_key: str
    first: dict[str, Any]
    second: dict[str, Any]

    @property
    def analyst_key(self) -> str:
        return self.stmarys.keys["contract-registry"]


@pytest.fixture(scope="module")
def world(stack: Stack) -> Iterator[World]:
    stmarys, riverside = (f"org-console-{label}-{uuid.uuid4().hex[:8]}" for label in ("stmarys", "riverside"))
    analyst, reader, outsider = personal_keys(
        stack,
        [
            (stmarys, "Dana Analyst", ANALYST_SCOPES),
            (stmarys, "Read-only auditor", READER_SCOPES),
            (riverside, "Riverside analyst", ANALYST_SCOPES),
        ],
    )
    tenant = Tenant(stack, stmarys, {s.name: analyst for s in SERVICES if s.owns_data})
    first = underpaid_claim(tenant, "CONSOLE-UNDERPAID-1", "revenue-cycle@stmarys.example", subscribe=True)
    second = underpaid_claim(tenant, "CONSOLE-CSRF-1", "", subscribe=False, contract=first["contract"])
    yield World(tenant, reader, outsider, first, second)
    tenant.close()


def underpaid_claim(
    t: Tenant, pcn: str, mail_to: str, *, subscribe: bool, contract: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A contract paying CPT 99213 at $100.00, a claim for it, a remittance paying $80.00: a $20.00 variance."""
    if subscribe:
        t.post(
            "notifier",
            "/v1/subscriptions",
            {
                "name": "underpayments to revenue cycle",
                "event_types": ["claim.variance_detected"],
                "channel": {"kind": "email", "recipients": [mail_to]},
            },
        )
    contract = contract or activate_acme_professional(t)
    claim = t.post(
        "engine",
        "/v1/claims",
        {
            "patient_control_number": pcn,
            "payer_id": "60054",
            "contract_id": contract["id"],
            "place_of_service": "11",
            "lines": [
                {
                    "code_system": "CPT",
                    "code": "99213",
                    "units": 1,
                    "charge": "150.00",
                    "service_date": "2026-03-14",
                }
            ],
        },
    )
    eventually(
        "the claim priced",
        lambda: t.get("engine", f"/v1/claims/{claim['id']}")["status"] == "priced",
        timeout=SLOW,
    )
    t.post("engine", "/v1/remittances/json", underpaying_remittance(pcn))
    variance = eventually(
        "the variance",
        lambda: [v for v in t.get("engine", "/v1/variances")["items"] if v["claim_id"] == claim["id"]],
        timeout=SLOW,
    )[0]
    return {"claim": claim, "contract": contract, "variance": variance}


def link_in_variance_mail(mail_dir: Path, claim_id: str) -> str:
    """The console link in the notifier's variance email about this claim."""
    for path in sorted(mail_dir.glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        body = message.get_body(("plain",))  # type: ignore[attr-defined]
        text = body.get_content() if body is not None else ""
        found = re.search(r"https?://\S+/claims/" + re.escape(claim_id), text)
        if found:
            return found.group(0)
    return ""


def shot(driver: WebDriver, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        height = int(driver.execute_script("return document.documentElement.scrollHeight"))
        driver.set_window_size(1280, min(max(height, 700), 1800))  # the whole page, audit trail included
        driver.save_screenshot(str(Path(SHOTS) / f"{name}.png"))
        driver.set_window_size(1280, 1000)


def signed_in_client(console: str, key: str) -> httpx.Client:
    client = httpx.Client(base_url=console, timeout=30, follow_redirects=False)
    answer = client.post("/sign-in", data={"api_key": key, "next": "/worklist"})
    assert answer.status_code == 303 and answer.headers["location"] == "/worklist", answer.text
    return client


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "the page carries no CSRF token"
    return found.group(1)


def test_an_analyst_appeals_an_underpayment_from_the_email_link(
    stack: Stack, world: World, browser: WebDriver
) -> None:
    t, console = world.stmarys, stack.services["console"].url
    claim_id, variance = world.first["claim"]["id"], world.first["variance"]
    assert (variance["expected_allowed"], variance["paid"], variance["variance"]) == (
        "100.00",
        "80.00",
        "20.00",
    )

    link = eventually(
        "the variance email", lambda: link_in_variance_mail(stack.mail_dir, claim_id), timeout=SLOW
    )
    assert link == f"{console}/claims/{claim_id}"

    browser.get(link)  # not signed in: the sign-in page, which then returns to the link
    assert "/sign-in" in browser.current_url
    shot(browser, "sign-in")
    browser.find_element(By.ID, "api_key").send_keys(world.analyst_key)
    browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    WebDriverWait(browser, 30).until(expected.url_to_be(link))

    explanation = browser.find_element(By.CSS_SELECTOR, "[data-testid=explanation]").text
    assert "99213" in explanation and "100.00" in explanation, explanation
    assert browser.find_element(By.CSS_SELECTOR, "[data-testid=claim-expected]").text == "$100.00"
    line = browser.find_element(By.CSS_SELECTOR, "section[aria-labelledby=explanation] tbody tr").text
    assert "CPT 99213" in line and "$150.00" in line and "2026-03-14" in line and "$100.00" in line, line
    payments = browser.find_element(By.CSS_SELECTOR, "section[aria-labelledby=payments] tbody tr").text
    assert "2026-04-02" in payments and "$80.00" in payments, payments
    shot(browser, "claim")

    # the worklist as recovery projects: both $20.00 underpayments under the contract are one project,
    # set aside since the appeal window (180 days from the 2026-04-02 remittance) closed on 2026-09-29
    browser.get(f"{console}/worklist/projects")
    contract_id = world.first["contract"]["id"]
    rows = [
        r.text for r in browser.find_elements(By.CSS_SELECTOR, "main table tbody tr") if contract_id in r.text
    ]
    page = browser.find_element(By.CSS_SELECTOR, "main").text
    assert len(rows) == 1, page
    assert "60054" in rows[0] and "$40.00" in rows[0] and "appeal window closed on 2026-09-29" in rows[0], (
        page
    )
    shot(browser, "projects")
    browser.get(link)

    browser.find_element(By.PARTIAL_LINK_TEXT, "underpaid by $20.00").click()
    WebDriverWait(browser, 30).until(expected.url_contains("/variances/"))
    assert browser.find_element(By.CSS_SELECTOR, "[data-testid=variance-status]").text == "open"
    assert browser.find_element(By.CSS_SELECTOR, "[data-testid=variance-amount]").text == "$20.00"
    browser.find_element(By.CSS_SELECTOR, "input[name=to][value=appealed]").click()
    browser.find_element(By.ID, "note").send_keys("Appeal sent with the Acme rate sheet, ref APL-0042")
    browser.find_element(By.CSS_SELECTOR, "section[aria-labelledby=work-it] button[type=submit]").click()
    status = (By.CSS_SELECTOR, "[data-testid=variance-status]")
    WebDriverWait(browser, 30).until(expected.text_to_be_present_in_element(status, "appealed"))

    assert browser.find_element(By.CSS_SELECTOR, "[data-testid=variance-status]").text == "appealed"
    audit = browser.find_elements(By.CSS_SELECTOR, "tr.audit-entry")[-1].text  # the newest entry
    assert "Dana Analyst" in audit and "open" in audit and "appealed" in audit, audit
    assert "Appeal sent with the Acme rate sheet, ref APL-0042" in audit, audit
    stored = t.get("engine", f"/v1/variances/{variance['id']}")
    assert stored["status"] == "appealed" and stored["history"][-1]["note"].endswith("APL-0042")
    shot(browser, "variance")

    browser.get(f"{console}/worklist?status=appealed")
    assert browser.find_element(By.CSS_SELECTOR, "[data-testid=worklist-total]").text == "$20.00"
    shot(browser, "worklist")
    browser.get(f"{console}/obligations?kind=appeal")
    deadlines = browser.find_element(By.TAG_NAME, "main").text
    assert deadlines.count("2026-09-29") >= 2, deadlines  # remitted 2026-04-02 + 180 days, both claims
    shot(browser, "deadlines")
    browser.get(f"{console}/contracts/{world.first['contract']['id']}")
    assert "Acme PPO professional" in browser.find_element(By.TAG_NAME, "h1").text
    assert "$100.00" in browser.find_element(By.CSS_SELECTOR, "section[aria-labelledby=schedule]").text
    shot(browser, "contract")
    browser.get(f"{console}/analytics?until=2026-04-30")
    march = browser.find_element(By.XPATH, "//tr[th[normalize-space()='March 2026']]").text
    assert "$200.00" in march and "$160.00" in march, (
        march
    )  # two claims: 2 x $100.00 expected, 2 x $80.00 paid
    shot(browser, "analytics")
    browser.get(f"{console}/notifications")
    assert "claim.variance_detected" in browser.find_element(By.TAG_NAME, "main").text
    shot(browser, "notifications")

    browser.find_element(By.CSS_SELECTOR, "form.who button").click()  # sign out
    WebDriverWait(browser, 30).until(expected.url_contains("/sign-in"))
    browser.get(link)
    assert "/sign-in" in browser.current_url  # the cookie is gone: signed out for real


def test_another_organisations_page_answers_404_and_a_form_without_its_token_is_refused(
    stack: Stack, world: World
) -> None:
    console, stmarys = stack.services["console"].url, world.stmarys
    claim_id, variance_id = world.second["claim"]["id"], world.second["variance"]["id"]

    outsider = signed_in_client(console, world.outsider_key)
    for page in (
        f"/claims/{claim_id}",
        f"/variances/{variance_id}",
        f"/contracts/{world.second['contract']['id']}",
    ):
        answer = outsider.get(page)
        assert answer.status_code == 404, (page, answer.status_code)
        assert "CONSOLE-CSRF-1" not in answer.text

    analyst = signed_in_client(console, world.analyst_key)
    page = analyst.get(f"/variances/{variance_id}")
    assert page.status_code == 200 and 'value="appealed"' in page.text
    move = {"to": "appealed", "note": "forged"}
    assert analyst.post(f"/variances/{variance_id}/moves", data=move).status_code == 403
    forged = analyst.post(f"/variances/{variance_id}/moves", data=move | {"csrf_token": "x" * 43})
    assert forged.status_code == 403
    assert analyst.post("/sign-out", data={}).status_code == 403
    assert stmarys.get("engine", f"/v1/variances/{variance_id}")["status"] == "open"
    moved = analyst.post(f"/variances/{variance_id}/moves", data=move | {"csrf_token": csrf_of(page.text)})
    assert moved.status_code == 303
    assert stmarys.get("engine", f"/v1/variances/{variance_id}")["status"] == "appealed"

    reader = signed_in_client(console, world.reader_key)
    seen = reader.get(f"/variances/{variance_id}")
    assert seen.status_code == 200 and "Audit trail" in seen.text
    assert 'name="to"' not in seen.text and "Work it" not in seen.text  # no action it cannot take
    refused = reader.post(
        f"/variances/{variance_id}/moves",
        data={"to": "written_off", "note": "x", "csrf_token": csrf_of(seen.text)},
    )
    assert refused.status_code == 422
    assert stmarys.get("engine", f"/v1/variances/{variance_id}")["status"] == "appealed"
