"""Claim deadlines across a mid-year amendment, and an appeal deadline that follows its variance.

A managed-care analyst loads Acme Health Plan's professional contract (CPT 99213 at $100.00 from a
fee schedule; timely filing 90 days, appeal 180 days, prompt pay 30 days) and, from 2026-07-01, an
amendment that moves timely filing to 120 days, the appeal window to 60 days and prompt pay to 45.
Billing sends a spring claim (service 2026-03-16, received 2026-03-20) and an autumn one (service
2026-08-03, received 2026-08-07); the payer underpays both. Each claim's deadlines come from the
version in force on its date of service, to the day:

  spring  timely filing 2026-03-16 + 90  = Sun 2026-06-14 -> Fri 2026-06-12 (met: received 03-20)
          prompt pay    2026-03-20 + 30  = 2026-04-19 (paid 2026-04-10: on time)
          appeal        2026-04-10 + 180 = Wed 2026-10-07 (paid $80.00 of $100.00: $20.00 under)
  autumn  timely filing 2026-08-03 + 120 = Tue 2026-12-01 (met: received 08-07)
          prompt pay    2026-08-07 + 45  = Mon 2026-09-21 (paid 2026-09-10: on time)
          appeal        2026-09-10 + 60  = Mon 2026-11-09 (paid $75.00 of $100.00: $25.00 under)

Then the revenue-cycle team appeals the spring underpayment (its appeal deadline completes, "appeal
filed") and writes the autumn one off (its appeal deadline is cancelled with the reason). People
read claims by patient control number and the payer by name: in the deadlines, the calendar feed
and the emails.
"""

from __future__ import annotations

import email
import email.policy
import uuid
from pathlib import Path
from typing import Any

from tests.scenarios.conftest import Tenant, eventually

SCHEDULE = (
    "code_system,code,modifiers,place_of_service,setting,unit,rate_kind,amount,percentage,"
    "effective_from,effective_to\nCPT,99213,,,,unit,amount,100.00,,2026-01-01,\n"
)
PROFESSIONAL = {
    "name": "Professional",
    "service_category": "professional",
    "matcher": {"ranges": [{"code_system": "CPT", "first": "99202", "last": "99499"}]},
    "methodology": {"kind": "fee_schedule"},
}
TERMS_2026 = {"timely_filing_days": 90, "appeal_window_days": 180, "prompt_pay_days": 30}
AMENDED = {"timely_filing_days": 120, "appeal_window_days": 60, "prompt_pay_days": 45}


def _contract(t: Tenant) -> str:
    payer = t.post("registry", "/v1/payers", {"name": "Acme Health Plan", "x12_payer_id": "60054"})
    schedule = t.post(
        "registry",
        "/v1/fee-schedules",
        files={"file": ("acme-2026.csv", SCHEDULE, "text/csv")},
        data={"name": "Acme 2026 professional"},
    )
    terms = {
        "effective_date": "2026-01-01",
        "termination_date": "2027-12-31",
        "fee_schedule_id": schedule["schedule"]["id"],
        "payment_terms": [PROFESSIONAL],
    }
    contract = t.post(
        "registry",
        "/v1/contracts",
        {"payer_id": payer["id"], "name": "Acme PPO professional", "line_of_business": "commercial"}
        | terms
        | TERMS_2026,
    )
    for step in ("submit", "activate"):
        t.post("registry", f"/v1/contracts/{contract['id']}/{step}", {})
    t.post(
        "registry",
        f"/v1/contracts/{contract['id']}/versions",
        {"effective_from": "2026-07-01"} | terms | AMENDED,
    )
    return str(contract["id"])


def _claim(t: Tenant, contract_id: str, pcn: str, service: str, received: str) -> dict[str, Any]:
    line = {"code_system": "CPT", "code": "99213", "units": 1, "charge": "150.00", "service_date": service}
    body = {
        "patient_control_number": pcn,
        "payer_id": "60054",
        "contract_id": contract_id,
        "place_of_service": "11",
        "received_date": received,
        "lines": [line],
    }
    claim: dict[str, Any] = t.post("engine", "/v1/claims", body)
    return claim


def _amended_in_engine(t: Tenant, contract_id: str, tag: str) -> None:
    """The engine prices claims from 2026-07-01 with version 2 (it has the amendment)."""
    probes = iter(range(1000))

    def priced_with_version_2() -> bool:
        probe = _claim(t, contract_id, f"PROBE-{tag}-{next(probes)}", "2026-08-03", "2026-08-07")
        return probe["contract_version"] == 2

    eventually("the engine to hold the amendment", priced_with_version_2)


def _remittance(pcn: str, paid: str, on: str) -> dict[str, Any]:
    adjustment = str(150 - int(paid.split(".")[0])) + ".00"
    return {
        "payer_id": "60054",
        "payer_name": "Acme Health Plan",
        "payment_date": on,
        "total_paid": paid,
        "trace_number": f"EFT-{pcn}",
        "claims": [
            {
                "patient_control_number": pcn,
                "status_code": "1",
                "charge": "150.00",
                "paid": paid,
                "patient_responsibility": "0.00",
                "payer_claim_control_number": f"PCCN-{pcn}",
                "lines": [
                    {
                        "code": "99213",
                        "charge": "150.00",
                        "paid": paid,
                        "units": "1",
                        "adjustments": [{"group_code": "CO", "reason_code": "45", "amount": adjustment}],
                    }
                ],
            }
        ],
    }


def _deadlines(t: Tenant, claim_id: str) -> dict[str, dict[str, Any]]:
    return {o["kind"]: o for o in t.get("tracker", "/v1/obligations", claim_id=claim_id, limit=50)["items"]}


def _settled(t: Tenant, claim_id: str) -> dict[str, dict[str, Any]] | None:
    """The claim's three deadlines once the payment has settled prompt pay."""
    found = _deadlines(t, claim_id)
    if set(found) == {"timely_filing", "prompt_pay", "appeal"} and found["prompt_pay"]["status"] != "open":
        return found
    return None


def _variance(t: Tenant, claim_id: str) -> dict[str, Any] | None:
    found = [v for v in t.get("engine", "/v1/variances")["items"] if v["claim_id"] == claim_id]
    return found[0] if found else None


def _mails(mail_dir: Path, needle: str) -> list[email.message.EmailMessage]:
    found = []
    for path in sorted(mail_dir.glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        body = message.get_body(("plain",))  # type: ignore[attr-defined]
        if body is not None and needle in body.get_content():
            found.append(message)
    return found


def test_claim_deadlines_follow_the_version_in_force_and_the_appeal_follows_its_variance(
    new_tenant: Any,
) -> None:
    t = new_tenant("deadlines")
    tag = uuid.uuid4().hex[:6]
    t.post(
        "notifier",
        "/v1/subscriptions",
        {
            "name": "claim deadlines to revenue cycle",
            "event_types": ["obligation.created"],
            "channel": {"kind": "email", "recipients": [f"revcycle-{tag}@clinic.example"]},
        },
    )
    contract_id = _contract(t)
    _amended_in_engine(t, contract_id, tag)
    spring_pcn, autumn_pcn = f"SPR-{tag}", f"AUT-{tag}"
    spring = _claim(t, contract_id, spring_pcn, "2026-03-16", "2026-03-20")
    autumn = _claim(t, contract_id, autumn_pcn, "2026-08-03", "2026-08-07")
    assert (spring["contract_version"], spring["expected_allowed"]) == (1, "100.00")
    assert (autumn["contract_version"], autumn["expected_allowed"]) == (2, "100.00")

    t.post("engine", "/v1/remittances/json", _remittance(spring_pcn, "80.00", "2026-04-10"))
    t.post("engine", "/v1/remittances/json", _remittance(autumn_pcn, "75.00", "2026-09-10"))

    spring_deadlines = eventually("the spring claim's deadlines", lambda: _settled(t, spring["id"]))
    autumn_deadlines = eventually("the autumn claim's deadlines", lambda: _settled(t, autumn["id"]))
    seen = {
        (name, kind): (o["due_date"], o["status"])
        for name, deadlines in (("spring", spring_deadlines), ("autumn", autumn_deadlines))
        for kind, o in deadlines.items()
    }
    assert seen == {
        ("spring", "timely_filing"): ("2026-06-12", "completed"),
        ("spring", "prompt_pay"): ("2026-04-19", "completed"),
        ("spring", "appeal"): ("2026-10-07", "open"),
        ("autumn", "timely_filing"): ("2026-12-01", "completed"),
        ("autumn", "prompt_pay"): ("2026-09-21", "completed"),
        ("autumn", "appeal"): ("2026-11-09", "open"),
    }
    spring_appeal, autumn_appeal = spring_deadlines["appeal"], autumn_deadlines["appeal"]
    assert spring_appeal["title"] == f"Appeal deadline: claim {spring_pcn} (Acme Health Plan)"
    assert (spring_appeal["patient_control_number"], spring_appeal["payer_name"]) == (
        spring_pcn,
        "Acme Health Plan",
    )
    assert "(contract version 1)" in spring_appeal["description"]
    assert "(contract version 2)" in autumn_appeal["description"]

    spring_variance = eventually("the spring variance", lambda: _variance(t, spring["id"]))
    autumn_variance = eventually("the autumn variance", lambda: _variance(t, autumn["id"]))
    assert (spring_variance["classification"], spring_variance["variance"]) == ("underpaid", "20.00")
    assert (autumn_variance["classification"], autumn_variance["variance"]) == ("underpaid", "25.00")

    # the appeal deadline's email names the claim and the payer as people know them
    mail = eventually("the appeal deadline's email", lambda: _mails(t.stack.mail_dir, spring_appeal["id"]))[0]
    text = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert mail["To"] == f"revcycle-{tag}@clinic.example"
    assert spring_pcn in text and "Acme Health Plan" in text and "Wednesday 7 October 2026" in text
    assert spring["id"] not in mail["Subject"] + text.split("Open the obligation")[0]
    assert "payer 60054" not in text

    # ... and so does the calendar feed
    feed = t.post("tracker", "/v1/calendar-feeds", {"name": "Revenue cycle"})
    ics = t.call("GET", "tracker", "/v1/calendar/" + feed["url"].rsplit("/v1/calendar/", 1)[1])
    assert ics.status_code == 200
    unfolded = ics.text.replace("\r\n ", "")
    assert f"SUMMARY:Appeal deadline: claim {spring_pcn} (Acme Health Plan)" in unfolded

    # the team appeals the spring underpayment and writes off the autumn one
    moved = f"/v1/variances/{spring_variance['id']}/transitions"
    t.post("engine", moved, {"to": "appealed", "note": f"appeal APL-{tag} sent"})
    written_off = f"/v1/variances/{autumn_variance['id']}/transitions"
    t.post(
        "engine",
        written_off,
        {"to": "written_off", "note": "below the follow-up threshold", "amount": "25.00"},
    )

    def appeals_settled() -> tuple[dict[str, Any], dict[str, Any]] | None:
        spring_now, autumn_now = _deadlines(t, spring["id"])["appeal"], _deadlines(t, autumn["id"])["appeal"]
        if spring_now["status"] == "open" or autumn_now["status"] == "open":
            return None
        return spring_now, autumn_now

    spring_after, autumn_after = eventually("the appeal deadlines to settle", appeals_settled)
    assert (spring_after["status"], spring_after["due_date"]) == ("completed", "2026-10-07")
    assert spring_after["reasons"][-1].startswith("appeal filed on ")
    assert spring_after["reasons"][-1].endswith(f": appeal APL-{tag} sent")
    assert (autumn_after["status"], autumn_after["due_date"]) == ("cancelled", "2026-11-09")
    assert autumn_after["reasons"][-1].startswith("variance 25.00 written off on ")
    assert autumn_after["reasons"][-1].endswith(": below the follow-up threshold")
    assert t.get("tracker", "/v1/parked-events")["items"] == []
