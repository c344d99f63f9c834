"""Keys people manage: an administrator issues a colleague's key on the registry; it works on the
engine and the tracker; the list shows its last use; a revocation reaches the engine within seconds;
a rate-limited key gets 429 with Retry-After; a failed authentication is logged without the key.
Approvals: one key cannot approve for both legal and finance, and the submitter cannot approve."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import httpx

from tests.scenarios.conftest import Tenant, eventually

ENGINE, TRACKER = "reimbursement-engine", "obligation-tracker"


def _as(t: Tenant, service: str, key: str) -> httpx.Client:
    return httpx.Client(
        base_url=t.stack.services[service].url, headers={"Authorization": f"Bearer {key}"}, timeout=30
    )


def _issue(admin: Tenant, name: str, scopes: list[str], **more: Any) -> dict[str, Any]:
    issued: dict[str, Any] = admin.post("registry", "/v1/api-keys", {"name": name, "scopes": scopes, **more})
    return issued


def test_an_administrator_issues_lists_and_revokes_a_colleagues_key(new_tenant: Any) -> None:
    admin = new_tenant("keys")
    started = datetime.now(UTC).replace(microsecond=0)
    dana = _issue(admin, "Dana Lee, revenue cycle", ["claims:read", "obligations:read"])
    assert dana["key"].startswith(f"acc_{dana['prefix']}_") and dana["status"] == "active"
    engine, tracker = _as(admin, ENGINE, dana["key"]), _as(admin, TRACKER, dana["key"])
    # the key was issued on the registry only: the engine and tracker learn it from api_key.issued
    claims = eventually("the engine accepts Dana's key", lambda: _json_if_ok(engine.get("/v1/claims")))
    assert claims["items"] == []  # a fresh organisation: nothing yet, and nobody else's claims
    eventually("the tracker accepts Dana's key", lambda: _json_if_ok(tracker.get("/v1/obligations")))
    assert engine.get("/v1/claims").status_code == 200
    # she cannot do what her scopes do not say
    with _as(admin, "contract-registry", dana["key"]) as registry:
        refused = registry.get("/v1/contracts")
    assert refused.status_code == 403 and "contracts:read" in refused.json()["detail"]

    def listed_with_last_use() -> dict[str, Any] | None:
        items = admin.get("registry", "/v1/api-keys")["items"]
        mine = next(k for k in items if k["id"] == dana["id"])
        return mine if mine["last_used_at"] else None

    listed = eventually("the registry shows Dana's last use", listed_with_last_use)
    last_use = datetime.fromisoformat(listed["last_used_at"])
    assert started <= last_use <= datetime.now(UTC)
    assert (listed["name"], listed["scopes"], listed["status"]) == (
        "Dana Lee, revenue cycle",
        ["claims:read", "obligations:read"],
        "active",
    )
    assert "key" not in listed and "key_hash" not in listed

    admin.post("registry", f"/v1/api-keys/{dana['id']}/revoke", {})
    revoked_at = time.monotonic()
    eventually("the engine refuses the revoked key", lambda: engine.get("/v1/claims").status_code == 401, 30)
    assert time.monotonic() - revoked_at < 10
    eventually("the tracker refuses it too", lambda: tracker.get("/v1/obligations").status_code == 401, 30)
    refused = engine.get("/v1/claims")
    assert refused.headers["content-type"] == "application/problem+json"

    # the engine's log says a revoked key was refused, with its prefix, never the key or its secret
    log_path = admin.stack.services[ENGINE].log_path
    secret = dana["key"].split("_", 2)[2]
    eventually(
        "the engine logs the failed authentication",
        lambda: f'"key_prefix": "{dana["prefix"]}"' in log_path.read_text(),
    )
    logged = log_path.read_text()
    assert f"revoked key {dana['id']}" in logged
    assert secret not in logged and dana["key"] not in logged

    # the audit trail names the acting key by id
    trail = admin.get("registry", "/v1/audit", limit=500)["items"]
    actions = {(e["action"], e["entity_id"]) for e in trail if e["entity"] == "api_key"}
    assert actions == {("api_key.issued", dana["id"]), ("api_key.revoked", dana["id"])}
    assert {e["actor_key_id"] for e in trail if e["entity"] == "api_key"} == {_own_key_id(admin)}
    engine.close()
    tracker.close()


def test_a_key_over_its_rate_limit_gets_429_with_retry_after(new_tenant: Any) -> None:
    admin = new_tenant("ratelimit")
    billing = _issue(admin, "Epic billing (test)", ["claims:read"], rate_limit_per_minute=6)
    engine = _as(admin, ENGINE, billing["key"])
    eventually("the engine accepts the key", lambda: _json_if_ok(engine.get("/v1/claims")))
    answers: list[Any] = []
    while len(answers) < 13 and (not answers or answers[-1].status_code != 429):
        answers.append(engine.get("/v1/claims"))
    statuses = [a.status_code for a in answers]
    # 6 a minute, counted in one-minute windows the engine's workers share: the first accepted call
    # and five more spend the window, the next waits (up to 11 if a new minute began in between)
    assert statuses[-1] == 429 and set(statuses[:-1]) == {200}, statuses
    assert 5 <= len(statuses) - 1 <= 11, statuses
    limited = answers[-1]
    assert limited.headers["content-type"] == "application/problem+json"
    assert 1 <= int(limited.headers["Retry-After"]) <= 60  # until the minute's window ends
    assert f"API key {billing['id']} is limited to 6 requests a minute" in limited.json()["detail"]
    engine.close()


def test_one_key_cannot_approve_for_legal_and_finance_nor_its_own_submission(new_tenant: Any) -> None:
    admin = new_tenant("approvals")
    admin.put(
        "registry",
        "/v1/organisation",
        {"name": "St Mary Medical Group", "required_approver_roles": ["legal", "finance"]},
    )
    payer = admin.post("registry", "/v1/payers", {"name": "Acme Health Plan", "x12_payer_id": "60054"})
    contract = admin.post(
        "registry",
        "/v1/contracts",
        {
            "payer_id": payer["id"],
            "name": "Acme PPO professional 2026",
            "line_of_business": "commercial",
            "effective_date": "2026-01-01",
            "termination_date": "2027-12-31",
            "notice_days": 90,
        },
    )
    path = f"/v1/contracts/{contract['id']}"
    assert admin.post("registry", f"{path}/submit", {})["status"] == "in_review"
    own = admin.call("POST", "registry", f"{path}/approve", json={"role": "legal"})
    assert own.status_code == 409 and own.headers["content-type"] == "application/problem+json"
    assert "segregation of duties (own-submission)" in own.json()["detail"]

    lee = _issue(admin, "Lee Park, legal", ["contracts:read", "contracts:approve"])
    with _as(admin, "contract-registry", lee["key"]) as as_lee:
        assert (
            as_lee.post(f"{path}/approve", json={"role": "legal", "comment": "indemnity ok"}).status_code
            == 200
        )
        twice = as_lee.post(f"{path}/approve", json={"role": "finance"})
    assert twice.status_code == 409
    assert "segregation of duties (distinct-approvers)" in twice.json()["detail"]
    assert "already approved it as legal" in twice.json()["detail"]

    fox = _issue(admin, "Sam Fox, finance", ["contracts:read", "contracts:approve"])
    with _as(admin, "contract-registry", fox["key"]) as as_fox:
        approved = as_fox.post(f"{path}/approve", json={"role": "finance"}).json()
    assert approved["status"] == "approved"
    assert [(a["role"], a["reviewer"]) for a in approved["approvals"]] == [
        ("legal", "Lee Park, legal"),
        ("finance", "Sam Fox, finance"),
    ]


def _own_key_id(t: Tenant) -> str:
    """The tenant's own registry key (issued with the CLI) as the key list shows it."""
    items = t.get("registry", "/v1/api-keys", include_revoked="true")["items"]
    return str(next(k["id"] for k in items if k["name"] == "scenario"))


def _json_if_ok(response: httpx.Response) -> Any:
    return response.json() if response.status_code == 200 else None
