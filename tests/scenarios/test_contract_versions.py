"""Contract versions reach every service as they are (issue 10, items 1, 3, 5 and 6).

A managed-care analyst keys a professional contract at 120% of Medicare, corrects it to 150% while
it is still a draft, has it approved and activated; billing's claims are priced at 150% to the cent.
A partial amendment changes only timely filing: the renewal-notice deadline the tracker holds stays
on its day. A future version entered by mistake (a 30-day notice) moves the deadline; withdrawn, the
deadline is back on its day. A misspelt payment term and an impossible notice period are refused
with a 422 naming the field, and nothing is written.

Figures (CMS CY2025, CPT 99213 non-facility, locality 01112-54 Bakersfield):
  Medicare allowed = round((1.30 x 1.017 + 1.35 x 1.093 + 0.10 x 0.662) x 32.3465, 2) = 92.64
  150% = 138.96 (120% would be 111.17).
Deadlines (the contract ends 2027-06-30, then renews for 12 months; today is before 2027-04-01):
  90-day notice: 2027-06-30 - 90 days = Thursday 2027-04-01;
  30-day notice: 2027-05-31 is Memorial Day, so the last day is Friday 2027-05-28.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from accord_common.devstack.stack import SERVICES, Stack

from tests.scenarios.conftest import Tenant, eventually

# the shared stack starts, issues keys and loads CMS's 2025 files before the workflow itself runs
pytestmark = pytest.mark.timeout(900)

CMS_PFS_2025 = Path(__file__).parents[2].parent / "shared" / "data" / "cms-pfs-2025"
PAYER_X12 = "VERSN1"


def term(percent: str, **modifiers: Any) -> dict[str, Any]:
    return {
        "name": "Professional services",
        "service_category": "professional",
        "matcher": {"ranges": [{"code_system": "CPT", "first": "99202", "last": "99499"}]},
        "methodology": {"kind": "percent_of_medicare", "percent": percent},
        **modifiers,
    }


@pytest.fixture(scope="module")
def medicare_2025(stack: Stack) -> None:
    """CMS's CY2025 physician fee schedule, loaded as an operator would (engine CLI)."""
    spec = next(s for s in SERVICES if s.name == "reimbursement-engine")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "reimbursement_engine.cli",
            "load-medicare",
            "--year",
            "2025",
            "--dir",
            str(CMS_PFS_2025),
        ],
        env=stack.env_for(spec),
        check=True,
        capture_output=True,
        timeout=300,
    )


def draft_at_120_then_150(t: Tenant) -> str:
    payer = t.post("registry", "/v1/payers", {"name": "Acme Health Plan", "x12_payer_id": PAYER_X12})
    contract = t.post(
        "registry",
        "/v1/contracts",
        {
            "payer_id": payer["id"],
            "name": "Acme PPO professional 2025",
            "line_of_business": "commercial",
            "effective_date": "2025-01-01",
            "termination_date": "2027-06-30",
            "auto_renew": True,
            "renewal_term_months": 12,
            "notice_days": 90,
            "timely_filing_days": 95,
            "appeal_window_days": 180,
            "prompt_pay_days": 30,
            "payment_terms": [term("120")],
        },
    )
    edited = t.patch("registry", f"/v1/contracts/{contract['id']}", {"payment_terms": [term("150")]})
    assert edited["version"]["version"] == 1  # edited in place: same version number
    assert edited["version"]["payment_terms"][0]["methodology"]["percent"] == "150"
    return str(contract["id"])


def price(t: Tenant, contract_id: str, pcn: str, service_date: str, version: int) -> dict[str, Any]:
    """Submit a one-line claim and wait until it is priced under `version` (a claim that arrives
    before the version does is priced under the one before, then re-priced when it arrives)."""
    claim = t.post(
        "engine",
        "/v1/claims",
        {
            "patient_control_number": pcn,
            "payer_id": PAYER_X12,
            "contract_id": contract_id,
            "place_of_service": "11",
            "medicare_locality": "01112-54",
            "lines": [
                {
                    "code_system": "CPT",
                    "code": "99213",
                    "units": 1,
                    "charge": "250.00",
                    "service_date": service_date,
                }
            ],
        },
    )

    def priced() -> dict[str, Any] | None:
        held: dict[str, Any] = t.get("engine", f"/v1/claims/{claim['id']}")
        return held if held["status"] == "priced" and held["contract_version"] == version else None

    return eventually(f"claim {pcn} priced under version {version}", priced)


def renewal_notice(t: Tenant, contract_id: str, due_date: str) -> dict[str, Any]:
    """Wait until the contract's open renewal-notice deadline falls on `due_date`."""

    def found() -> dict[str, Any] | None:
        items = t.get("tracker", "/v1/obligations", contract_id=contract_id, kind="renewal_notice")["items"]
        return next((o for o in items if o["status"] == "open" and o["due_date"] == due_date), None)

    return eventually(f"the renewal notice due {due_date}", found)


def versions(t: Tenant, contract_id: str) -> list[int]:
    return [v["version"] for v in t.get("registry", f"/v1/contracts/{contract_id}/versions")]


def test_contract_versions_reach_every_service_as_they_are(new_tenant: Any, medicare_2025: None) -> None:
    t = new_tenant("versions")
    cid = draft_at_120_then_150(t)
    for step in ("submit", "activate"):
        t.post("registry", f"/v1/contracts/{cid}/{step}", {})

    # item 1: the draft edit reached the engine; priced at 150% of Medicare, to the cent
    march = price(t, cid, "VER-MAR", "2025-03-14", version=1)
    assert march["expected_allowed"] == "138.96"
    first_notice = renewal_notice(t, cid, "2027-04-01")

    # item 3: a partial amendment changes timely filing only and inherits every other term
    t.post(
        "registry",
        f"/v1/contracts/{cid}/versions",
        {"effective_from": "2025-07-01", "timely_filing_days": 120},
    )
    august = price(t, cid, "VER-AUG", "2025-08-01", version=2)
    assert august["expected_allowed"] == "138.96"  # version 2 inherited the payment terms

    # a future version entered by mistake (30-day notice) moves the deadline to the Friday before
    # Memorial Day; withdrawn, the tracker is back on version 2's terms, inherited from version 1
    t.post("registry", f"/v1/contracts/{cid}/versions", {"effective_from": "2027-01-01", "notice_days": 30})
    renewal_notice(t, cid, "2027-05-28")
    withdrawn = t.post(
        "registry", f"/v1/contracts/{cid}/versions/3/withdraw", {"reason": "keyed on the wrong contract"}
    )
    assert withdrawn["current_version"] == 2 and versions(t, cid) == [1, 2]
    back = renewal_notice(t, cid, "2027-04-01")
    assert back["id"] == first_notice["id"]  # the same deadline, moved back: never cancelled
    cancelled = t.get("tracker", "/v1/obligations", contract_id=cid, status="cancelled")["items"]
    assert [o["kind"] for o in cancelled if o["kind"] in ("renewal_notice", "renewal")] == []

    # items 5 and 6: a misspelt modifier and a notice of 10^12 days are refused; nothing written
    misspelt = t.call(
        "POST",
        "registry",
        f"/v1/contracts/{cid}/versions",
        json={"effective_from": "2027-01-01", "payment_terms": [term("150", lesser_of_bill=True)]},
    )
    assert misspelt.status_code == 422, misspelt.text
    assert [e["field"] for e in misspelt.json()["errors"]] == ["payment_terms.0.lesser_of_bill"]
    huge = t.call(
        "POST",
        "registry",
        f"/v1/contracts/{cid}/versions",
        json={"effective_from": "2027-01-01", "notice_days": 10**12},
    )
    assert huge.status_code == 422 and [e["field"] for e in huge.json()["errors"]] == ["notice_days"]
    assert versions(t, cid) == [1, 2]


def obligation(t: Tenant, contract_id: str, kind: str, due: str | None = None) -> dict[str, Any]:
    """Wait until the tracker holds the contract's open obligation of `kind` (due on `due`, when
    given: the contract's later events move it, and the tracker may hold the earlier date first);
    return the only one."""

    def found() -> list[dict[str, Any]] | None:
        items = t.get("tracker", "/v1/obligations", contract_id=contract_id, kind=kind)["items"]
        held = [o for o in items if o["status"] == "open"]
        return held if held and (due is None or any(o["due_date"] == due for o in held)) else None

    held = eventually(f"the contract's {kind}" + (f" due {due}" if due else ""), found)
    assert len(held) == 1, held
    return held[0]


def test_a_drafts_effective_date_moved_later_is_where_version_1_starts(new_tenant: Any) -> None:
    """The contract was keyed to start 2027-03-01; the start slips three months, so the analyst moves
    the draft's effective date to 2027-06-01 before it is approved. Evergreen, 12-month terms,
    90 days' notice:
      renews 2027-06-01 + 12 months = Thursday 2028-06-01 (from 2027-03-01 it would be 2028-03-01);
      notice due 2028-06-01 - 90 days = Friday 2028-03-03 (a business day; it would be 2027-12-02).
    """
    t = new_tenant("draft-dates")
    payer = t.post("registry", "/v1/payers", {"name": "Acme Health Plan", "x12_payer_id": "DRAFT1"})
    draft = t.post(
        "registry",
        "/v1/contracts",
        {
            "payer_id": payer["id"],
            "name": "Acme PPO professional 2027",
            "line_of_business": "commercial",
            "effective_date": "2027-03-01",
            "auto_renew": True,
            "renewal_term_months": 12,
            "notice_days": 90,
            "payment_terms": [term("150")],
        },
    )
    cid = draft["id"]
    moved = t.patch("registry", f"/v1/contracts/{cid}", {"effective_date": "2027-06-01"})
    assert (moved["version"]["version"], moved["version"]["effective_from"]) == (1, "2027-06-01")
    assert moved["version"]["terms"]["effective_date"] == "2027-06-01"

    # no approver role required: submitted is approved; activation puts version 1 in force
    assert t.post("registry", f"/v1/contracts/{cid}/submit", {})["status"] == "approved"
    active = t.post("registry", f"/v1/contracts/{cid}/activate", {})
    assert active["status"] == "active"

    in_force = t.get("registry", f"/v1/contracts/{cid}", as_of="2027-06-01")["version"]
    assert (in_force["version"], in_force["effective_from"], in_force["effective_to"]) == (
        1,
        "2027-06-01",
        None,
    )
    before = t.call("GET", "registry", f"/v1/contracts/{cid}", params={"as_of": "2027-05-31"})
    assert before.status_code == 404, before.text
    early = t.call("GET", "registry", f"/v1/contracts/{cid}", params={"as_of": "2027-03-01"})
    assert early.status_code == 404, early.text

    # the tracker derived its deadlines from the moved date (contract.* events carry it)
    renewal = obligation(t, cid, "renewal", due="2028-06-01")
    notice = obligation(t, cid, "renewal_notice", due="2028-03-03")
    assert (renewal["due_date"], notice["due_date"]) == ("2028-06-01", "2028-03-03")
