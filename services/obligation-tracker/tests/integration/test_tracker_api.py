"""The HTTP API: calendar feed, staff actions, settings, KPIs, tenant isolation, problem+json."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from icalendar import Calendar
from tracker_harness import Harness, contract_event


async def new_contract(
    tracker: Harness, org: str, termination: str = "2027-12-31"
) -> dict[str, dict[str, Any]]:
    contract_id = str(uuid.uuid4())
    await tracker.deliver(
        contract_event(
            "contract.activated", contract_id, org, 1, termination_date=termination, notice_days=90
        )
    )
    return {o["kind"]: o for o in await tracker.obligations(org, contract_id=contract_id)}


async def test_calendar_feed_is_served_by_token_and_parses(tracker: Harness) -> None:
    org = tracker.org_a
    notice = (await new_contract(tracker, org))["renewal_notice"]
    created = await tracker.client.post(
        "/v1/calendar-feeds", json={"name": "Contracting"}, headers=tracker.auth(org)
    )
    assert created.status_code == 201, created.text
    path = created.json()["url"].removeprefix("http://tracker.test")

    response = await tracker.client.get(path)  # no API key: the token is the credential
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    events = {str(e["UID"]): e for e in Calendar.from_ical(response.content).walk("VEVENT")}
    event = events[f"{notice['id']}@obligations.accord"]
    assert event["DTSTART"].dt.isoformat() == notice["due_date"]
    assert str(event["SUMMARY"]) == notice["title"]

    feed_id = created.json()["id"]
    other = await tracker.client.delete(f"/v1/calendar-feeds/{feed_id}", headers=tracker.auth(tracker.org_b))
    assert other.status_code == 404
    revoked = await tracker.client.delete(f"/v1/calendar-feeds/{feed_id}", headers=tracker.auth(org))
    assert revoked.status_code == 204
    assert (await tracker.client.get(path)).status_code == 404
    assert (await tracker.client.get("/v1/calendar/not-a-token.ics")).status_code == 404


async def test_staff_actions_are_audited_and_completion_is_published(tracker: Harness) -> None:
    org, auth = tracker.org_a, tracker.auth(tracker.org_a)
    obligations = await new_contract(tracker, org)
    notice, expiry = obligations["renewal_notice"], obligations["expiry"]

    snoozed = await tracker.client.post(
        f"/v1/obligations/{notice['id']}/snooze",
        json={"until": "2027-09-01", "comment": "legal review"},
        headers=auth,
    )
    assert snoozed.status_code == 200 and snoozed.json()["snoozed_until"].startswith("2027-09-01T00:00:00")
    done = await tracker.client.post(
        f"/v1/obligations/{notice['id']}/complete",
        json={"comment": "notice sent by certified mail"},
        headers=auth,
    )
    assert done.json()["status"] == "completed"
    again = await tracker.client.post(f"/v1/obligations/{notice['id']}/complete", json={}, headers=auth)
    assert again.status_code == 409
    assert again.headers["content-type"] == "application/problem+json"
    waived = await tracker.client.post(
        f"/v1/obligations/{expiry['id']}/waive", json={"reason": "replaced by a new contract"}, headers=auth
    )
    assert waived.json()["status"] == "waived"

    history = (await tracker.client.get(f"/v1/obligations/{notice['id']}", headers=auth)).json()["history"]
    assert [(h["action"], h["actor"]) for h in history] == [
        ("created", "obligation-tracker"),
        ("snoozed", "staff"),
        ("completed", "staff"),
    ]
    assert history[-1]["comment"] == "notice sent by certified mail"
    (completed,) = await tracker.outbox(subject=notice["id"], topic="obligation.completed")
    assert completed.data["status"] == "completed"


async def test_listing_filters_and_pages(tracker: Harness) -> None:
    org = await tracker.new_org()  # the listings below are the whole organisation's
    for termination in ("2026-12-31", "2027-06-30", "2027-12-31"):
        await new_contract(tracker, org, termination)
    soon = await tracker.obligations(org, due_within_days=125)  # today is 2026-06-01
    assert {(o["kind"], o["due_date"]) for o in soon} == {("renewal_notice", "2026-10-02")}
    seen, cursor = [], None
    while True:
        params = {"limit": 2, "kind": "expiry"} | ({"cursor": cursor} if cursor else {})
        page = (await tracker.client.get("/v1/obligations", params=params, headers=tracker.auth(org))).json()
        seen += [o["due_date"] for o in page["items"]]
        if not (cursor := page["next_cursor"]):
            break
    assert seen == ["2026-12-31", "2027-06-30", "2027-12-31"]


async def test_another_organisation_gets_404_everywhere(tracker: Harness) -> None:
    notice = (await new_contract(tracker, tracker.org_a))["renewal_notice"]
    measure = await tracker.client.post(
        "/v1/kpis/measures",
        headers=tracker.auth(tracker.org_a),
        json={
            "contract_id": notice["contract_id"],
            "measure": "HbA1c control",
            "direction": "higher_is_better",
            "target": "0.8",
            "period_start": "2026-01-01",
            "period_end": "2026-12-31",
        },
    )
    outsider = tracker.auth(tracker.org_b)
    base = f"/v1/obligations/{notice['id']}"
    responses = [
        await tracker.client.get(base, headers=outsider),
        await tracker.client.post(f"{base}/complete", json={}, headers=outsider),
        await tracker.client.post(f"{base}/waive", json={"reason": "x"}, headers=outsider),
        await tracker.client.post(f"{base}/snooze", json={"until": "2027-01-01"}, headers=outsider),
        await tracker.client.post(
            f"/v1/kpis/measures/{measure.json()['id']}/readings",
            json={"value": "0.5", "as_of": "2026-05-01"},
            headers=outsider,
        ),
    ]
    assert [r.status_code for r in responses] == [404] * len(responses)
    assert all(r.headers["content-type"] == "application/problem+json" for r in responses)
    assert await tracker.obligations(tracker.org_b, contract_id=notice["contract_id"]) == []
    listed = (await tracker.client.get("/v1/kpis/measures", headers=outsider)).json()
    assert measure.json()["id"] not in {m["id"] for m in listed}
    unchanged = (await tracker.client.get(base, headers=tracker.auth(tracker.org_a))).json()
    assert unchanged["status"] == "open" and unchanged["snoozed_until"] is None


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        (
            "put",
            "/v1/settings",
            {"time_zone": "Mars/Olympus", "holiday_country": "US", "lead_days": [7]},
            "time_zone",
        ),
        (
            "put",
            "/v1/settings",
            {
                "time_zone": "America/Chicago",
                "holiday_country": "US",
                "holiday_subdivision": "ZZ",
                "lead_days": [7],
            },
            "holiday_subdivision",
        ),
        (
            "put",
            "/v1/settings",
            {"time_zone": "America/Chicago", "holiday_country": "US", "lead_days": [400]},
            "lead_days",
        ),
        (
            "post",
            "/v1/kpis/measures",
            {
                "contract_id": "c",
                "measure": "m",
                "direction": "higher_is_better",
                "target": "1",
                "period_start": "2026-12-31",
                "period_end": "2026-01-01",
            },
            "period_end",
        ),
        (  # a boolean is not a number: pydantic's lax mode stored [false] as [0]
            "put",
            "/v1/settings",
            {"time_zone": "America/Chicago", "holiday_country": "US", "lead_days": [False]},
            "lead_days.0",
        ),
        (
            "put",
            "/v1/settings",
            {"time_zone": "America/Chicago", "holiday_country": "US", "lead_days": ["30"]},
            "lead_days.0",
        ),
        (
            "post",
            "/v1/kpis/measures",
            {
                "contract_id": "c",
                "measure": "m",
                "direction": "higher_is_better",
                "target": "１",  # full-width digit
                "period_start": "2026-01-01",
                "period_end": "2026-12-31",
            },
            "target",
        ),
        ("get", "/v1/obligations?due_within_days=-1", None, "due_within_days"),
        ("post", "/v1/calendar-feeds", {"name": ""}, "name"),
    ],
)
async def test_validation_errors_are_problem_json_naming_the_field(
    tracker: Harness, method: str, path: str, body: dict[str, Any] | None, field: str
) -> None:
    response = await tracker.client.request(method, path, json=body, headers=tracker.auth(tracker.org_a))
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert field in [e["field"] for e in response.json()["errors"]]


async def test_snooze_needs_a_future_date(tracker: Harness) -> None:
    notice = (await new_contract(tracker, tracker.org_a))["renewal_notice"]
    response = await tracker.client.post(
        f"/v1/obligations/{notice['id']}/snooze",
        json={"until": "2026-01-01"},
        headers=tracker.auth(tracker.org_a),
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "until", "message": "not in the future"}]


async def test_settings_default_then_saved(tracker: Harness) -> None:
    auth = tracker.auth(await tracker.new_org())  # no other test may have saved its settings
    assert (await tracker.client.get("/v1/settings", headers=auth)).json() == {
        "time_zone": "America/New_York",
        "holiday_country": "US",
        "holiday_subdivision": None,
        "lead_days": [90, 60, 30, 7],
        "is_default": True,
    }
    body = {
        "time_zone": "America/Chicago",
        "holiday_country": "US",
        "holiday_subdivision": "TX",
        "lead_days": [7, 30, 7],
    }
    assert (await tracker.client.put("/v1/settings", json=body, headers=auth)).status_code == 200
    saved = (await tracker.client.get("/v1/settings", headers=auth)).json()
    assert saved["lead_days"] == [30, 7] and saved["holiday_subdivision"] == "TX" and not saved["is_default"]


async def test_an_at_risk_measure_publishes_kpi_at_risk_once_per_reading_date(tracker: Harness) -> None:
    auth = tracker.auth(tracker.org_a)
    measure = (
        await tracker.client.post(
            "/v1/kpis/measures",
            headers=auth,
            json={
                "contract_id": str(uuid.uuid4()),
                "measure": "Readmissions",
                "direction": "lower_is_better",
                "target": "0.12",
                "weight": "2",
                "period_start": "2026-01-01",
                "period_end": "2026-12-31",
            },
        )
    ).json()
    assert measure["status"] == "at_risk" and measure["latest"] is None

    path = f"/v1/kpis/measures/{measure['id']}/readings"
    on_track = await tracker.client.post(path, json={"value": "0.10", "as_of": "2026-03-31"}, headers=auth)
    assert on_track.json()["status"] == "on_track"
    for _ in range(2):  # the same reading date twice: one alert
        rising = await tracker.client.post(path, json={"value": "0.13", "as_of": "2026-05-31"}, headers=auth)
        assert rising.json()["status"] == "at_risk"
    alerts = await tracker.outbox(subject=measure["id"], topic="kpi.at_risk")
    assert len(alerts) == 1
    assert alerts[0].data["measure"] == "Readmissions" and alerts[0].data["target"] == "0.12"
