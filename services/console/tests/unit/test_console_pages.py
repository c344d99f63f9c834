"""The console's edge against fake services (httpx.MockTransport): sign-in, cookies, CSRF, scopes, 404s.

The real services, browser and mail are in tests/scenarios/test_console.py; here each rule is
checked alone and fast.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from console.bootstrap import build_api, build_app
from console.config import ConsoleSettings
from cryptography.fernet import Fernet
from pydantic import ValidationError

ANALYST_KEY, AUDITOR_KEY, STRANGER_KEY = "acc_analyst_secret", "acc_auditor_secret", "acc_unknown_secret"
VARIANCE = {
    "id": "v-1",
    "claim_id": "c-1",
    "patient_control_number": "PCN-1",
    "payer_id": "60054",
    "contract_id": None,
    "classification": "underpaid",
    "status": "open",
    "expected_allowed": "100.00",
    "paid": "80.00",
    "patient_responsibility": "0.00",
    "variance": "20.00",
    "carcs": ["45"],
    "remittance_date": "2026-04-02",
    "lines": [
        {
            "variance_id": "v-1",
            "line_number": 1,
            "code": "99213",
            "carc": "CO-45",
            "expected_allowed": "100.00",
            "paid": "80.00",
            "patient_responsibility": "0.00",
            "variance": "20.00",
        }
    ],
    "history": [],
}


GROUP = {"contract_id": "c1", "code": "99213", "carc": "45", "expected_allowed": "100.00", "paid": "80.00"}
# The engine lists its largest groups only (here 2 of 3); its total counts all three.
WORKLIST = {
    "items": [
        GROUP | {"payer_id": "60054", "amount": "20.00", "claim_count": 1, "line_count": 1},
        GROUP | {"payer_id": "87726", "amount": "0.10", "claim_count": 1, "line_count": 1},
    ],
    "total_amount": "20.11",
    "group_count": 3,
}


PROJECT = {
    "cause": "escalator_not_applied",
    "payer_id": "acme",
    "contract_id": "c-1",
    "amount": "24.00",
    "variance_count": 8,
    "variance_ids": ["v-1"],
    "codes": ["99213"],
    "oldest_remittance": "2026-06-01",
    "appeal_deadline": "2026-09-28",
    "appeal_days_left": 119,
    "filing_deadline": "2026-06-08",
    "filing_days_left": 7,
    "set_aside": None,
}
PROJECTS = {
    "items": [PROJECT, PROJECT | {"cause": "paid_as_other_code", "amount": "51.50", "variance_count": 1}],
    "total_amount": "75.50",
    "project_count": 2,
    "set_aside": [
        PROJECT | {"cause": "unexplained", "amount": "8.00", "set_aside": "below the $20.00 minimum"}
    ],
    "take_backs": [],
    "take_back_total": "0.00",
}


class FakeServices:
    """Every service answers whoami per key; the engine holds one variance of org-a."""

    def __init__(self) -> None:
        self.transitions: list[dict[str, Any]] = []
        self.down: set[int] = set()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/healthz":
            down = request.url.port in self.down
            return httpx.Response(503 if down else 200, json={"status": "unavailable" if down else "ok"})
        key = request.headers.get("authorization", "").removeprefix("Bearer ")
        scopes = {ANALYST_KEY: ["claims:read", "claims:write"], AUDITOR_KEY: ["claims:read"]}.get(key)
        if scopes is None:
            return httpx.Response(401, json={"detail": "unknown or revoked API key"})
        path = request.url.path
        if path == "/v1/whoami":
            return httpx.Response(200, json={"organization_id": "org-a", "name": "Dana", "scopes": scopes})
        if path == "/v1/variances/v-1" and request.url.port == 8102:
            return httpx.Response(200, json=VARIANCE)
        if path == "/v1/worklist":
            return httpx.Response(200, json=WORKLIST)
        if path == "/v1/worklist/projects":
            return httpx.Response(200, json=PROJECTS)
        if path == "/v1/variances/v-1/transitions":
            self.transitions.append(json.loads(request.content))
            return httpx.Response(200, json=VARIANCE | {"status": "appealed"})
        return httpx.Response(404, json={"detail": "not found"})


@pytest.fixture
def services() -> FakeServices:
    return FakeServices()


@pytest.fixture
async def console(services: FakeServices) -> AsyncIterator[httpx.AsyncClient]:
    settings = ConsoleSettings(cookie_secure=True, log_json=False)
    app = build_app(settings, build_api(settings, httpx.MockTransport(services)))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://console.test") as client:
        yield client


async def sign_in(console: httpx.AsyncClient, key: str, next: str = "/variances/v-1") -> httpx.Response:
    return await console.post("/sign-in", data={"api_key": key, "next": next})


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found
    return found.group(1)


async def test_a_page_without_a_session_sends_to_sign_in_and_back(console: httpx.AsyncClient) -> None:
    answer = await console.get("/claims/c-1")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/sign-in?next=/claims/c-1"


async def test_sign_in_sets_an_httponly_secure_samesite_cookie(console: httpx.AsyncClient) -> None:
    answer = await sign_in(console, ANALYST_KEY)
    assert answer.status_code == 303 and answer.headers["location"] == "/variances/v-1"
    cookie = answer.headers["set-cookie"].lower()
    assert "httponly" in cookie and "secure" in cookie and "samesite=lax" in cookie
    assert ANALYST_KEY not in answer.headers["set-cookie"]  # sealed, not readable


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example", "/\\\\evil.example"])
async def test_sign_in_never_redirects_off_the_console(console: httpx.AsyncClient, target: str) -> None:
    answer = await sign_in(console, ANALYST_KEY, next=target)
    assert answer.headers["location"] == "/"


async def test_an_unknown_key_is_refused_naming_the_field(console: httpx.AsyncClient) -> None:
    answer = await sign_in(console, STRANGER_KEY)
    assert answer.status_code == 401
    assert "api_key: no service knows this key" in answer.text
    assert "set-cookie" not in answer.headers


async def test_a_tampered_cookie_is_no_session(console: httpx.AsyncClient) -> None:
    console.cookies.set("accord_console", Fernet(Fernet.generate_key()).encrypt(b"{}").decode())
    assert (await console.get("/variances/v-1")).status_code == 303


async def test_a_form_without_its_csrf_token_is_refused_and_nothing_moves(
    console: httpx.AsyncClient, services: FakeServices
) -> None:
    await sign_in(console, ANALYST_KEY)
    page = await console.get("/variances/v-1")
    assert page.status_code == 200 and 'value="appealed"' in page.text
    assert '<td class="num">$20.00</td>' in page.text  # the line's variance, to the cent
    for token in (None, "wrong"):
        data = {"to": "appealed", "note": "appeal sent"} | ({"csrf_token": token} if token else {})
        refused = await console.post("/variances/v-1/moves", data=data)
        assert refused.status_code == 403 and "security token" in refused.text
    assert services.transitions == []
    moved = await console.post(
        "/variances/v-1/moves",
        data={"to": "appealed", "note": " appeal sent ", "csrf_token": csrf_of(page.text)},
    )
    assert moved.status_code == 303
    assert services.transitions == [{"to": "appealed", "note": "appeal sent"}]


async def test_a_move_without_a_note_is_refused_naming_the_field(
    console: httpx.AsyncClient, services: FakeServices
) -> None:
    await sign_in(console, ANALYST_KEY)
    page = await console.get("/variances/v-1")
    answer = await console.post(
        "/variances/v-1/moves", data={"to": "appealed", "note": "  ", "csrf_token": csrf_of(page.text)}
    )
    assert answer.status_code == 422 and "note: say why" in answer.text
    assert services.transitions == []


async def test_a_person_without_claims_write_sees_no_action_and_cannot_post_one(
    console: httpx.AsyncClient, services: FakeServices
) -> None:
    await sign_in(console, AUDITOR_KEY)
    page = await console.get("/variances/v-1")
    assert page.status_code == 200 and "Work it" not in page.text and 'name="to"' not in page.text
    answer = await console.post(
        "/variances/v-1/moves", data={"to": "appealed", "note": "x", "csrf_token": csrf_of(page.text)}
    )
    assert answer.status_code == 422
    assert services.transitions == []


async def test_a_record_the_service_does_not_show_this_organisation_answers_404(
    console: httpx.AsyncClient,
) -> None:
    await sign_in(console, ANALYST_KEY)
    answer = await console.get("/claims/someone-elses")
    assert answer.status_code == 404 and "no such record in your organisation" in answer.text


async def test_sign_out_needs_the_token_and_ends_the_session(console: httpx.AsyncClient) -> None:
    await sign_in(console, ANALYST_KEY)
    page = await console.get("/variances/v-1")
    assert (await console.post("/sign-out", data={})).status_code == 403
    out = await console.post("/sign-out", data={"csrf_token": csrf_of(page.text)})
    assert out.status_code == 303 and 'accord_console=""' in out.headers["set-cookie"]


@pytest.mark.parametrize(
    ("values", "refusal"),
    [
        ({}, "ACCORD_CONSOLE_SESSION_SECRET"),
        ({"session_secret": Fernet.generate_key().decode(), "cookie_secure": False}, "without Secure"),
    ],
)
def test_production_refuses_an_unsealed_or_insecure_session(values: dict[str, Any], refusal: str) -> None:
    with pytest.raises(ValidationError, match=refusal):
        ConsoleSettings(environment="production", **values)


async def test_the_worklist_total_is_the_engines_unfiltered_and_the_sum_shown_filtered(
    console: httpx.AsyncClient,
) -> None:
    await sign_in(console, ANALYST_KEY)
    everything = await console.get("/worklist")
    assert everything.status_code == 200
    assert '<strong data-testid="worklist-total">$20.11</strong>' in everything.text
    assert "Only the 500 largest" in everything.text
    one_payer = await console.get("/worklist", params={"payer_id": "87726"})
    assert '<strong data-testid="worklist-total">$0.10</strong>' in one_payer.text


async def test_the_console_is_ready_only_when_every_service_answers(
    console: httpx.AsyncClient, services: FakeServices
) -> None:
    ready = await console.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"registry": "ok", "engine": "ok", "tracker": "ok", "notifier": "ok"}
    services.down.add(8103)
    not_ready = await console.get("/readyz")
    assert not_ready.status_code == 503 and not_ready.json()["checks"]["tracker"] == "status 503"


async def test_the_worklist_by_root_cause_reads_as_projects(console: httpx.AsyncClient) -> None:
    await sign_in(console, AUDITOR_KEY)
    page = (await console.get("/worklist/projects")).text
    assert "Escalator not applied (last year&#39;s rate)" in page and "Paid as another code" in page
    assert 'data-testid="projects-total">$75.50<' in page
    assert "below the $20.00 minimum" in page and "$8.00" in page
    assert 'href="/worklist/projects?status=open"' in (await console.get("/worklist")).text
