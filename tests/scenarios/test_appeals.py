"""An appeal packet from a real 835 to the payer's inbox (issue 14 item 3).

Rushmore Life's 2002 agreement (X12 payer id 1935665544, the 835's TRN03) pays from its fee schedule
CPT 99211 at $800.00 and 93555 at $1,150.00, appeal window 180 days. The payer's 835 of 2002-03-14
(`data/x12/managed-care.835`, the shared X12 example) pays:

  5554555444  99211 $800.00 billed: paid $450.00 + patient $300.00 = $750.00   underpaid $50.00
  8765432112  93555 $1,200.00 billed: paid $495.00 + patient $600.00 = $1,095.00 underpaid $55.00

The analyst drafts one appeal for both: amount due $50.00 + $55.00 = $105.00, timely through
2002-03-14 + 180 days = 2002-09-10. The letter (PDF) cites the contract, version 1 and its dates,
each line's clause ("Professional and diagnostic") and the 835's codes; sent, it reaches the
payer's appeals inbox over SMTP with the PDF attached, and both variances become appealed. The payer
acknowledges and pays; every step is in the appeal's history. An organisation template is checked
before it is kept, and the next letter uses it.
"""

from __future__ import annotations

import email
import email.policy
import io
from decimal import Decimal
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from tests.scenarios.conftest import Tenant, eventually

pytestmark = pytest.mark.timeout(900)  # two tenants (key issuance through each CLI) on a busy machine

D = Decimal
MANAGED_CARE_835 = Path(__file__).parent / "data" / "x12" / "managed-care.835"
SCHEDULE = (
    "code_system,code,modifiers,place_of_service,setting,unit,rate_kind,amount,percentage,"
    "effective_from,effective_to\n"
    "CPT,99211,,,,unit,amount,800.00,,2002-01-01,\n"
    "CPT,93555,,,,unit,amount,1150.00,,2002-01-01,\n"
)
CLAIMS = {"5554555444": ("99211", "800.00", "2002-03-01"), "8765432112": ("93555", "1200.00", "2002-03-10")}
PAYER_INBOX = "appeals@rushmore-life.example"


def rushmore_contract(t: Tenant) -> str:
    payer = t.post("registry", "/v1/payers", {"name": "Rushmore Life", "x12_payer_id": "1935665544"})
    schedule = t.post(
        "registry",
        "/v1/fee-schedules",
        files={"file": ("rushmore-2002.csv", SCHEDULE, "text/csv")},
        data={"name": "Rushmore 2002"},
    )
    contract = t.post(
        "registry",
        "/v1/contracts",
        {
            "payer_id": payer["id"],
            "name": "Rushmore Life PPO 2002",
            "line_of_business": "commercial",
            "effective_date": "2002-01-01",
            "termination_date": "2003-12-31",
            "notice_days": 90,
            "appeal_window_days": 180,
            "prompt_pay_days": 30,
            "fee_schedule_id": schedule["schedule"]["id"],
            "payment_terms": [
                {
                    "name": "Professional and diagnostic",
                    "service_category": "professional",
                    "matcher": {"ranges": [{"code_system": "CPT", "first": "10004", "last": "99499"}]},
                    "methodology": {"kind": "fee_schedule"},
                }
            ],
        },
    )
    for step in ("submit", "activate"):
        t.post("registry", f"/v1/contracts/{contract['id']}/{step}", {})
    return str(contract["id"])


def submit(t: Tenant, pcn: str, code: str, charge: str, day: str) -> Any:
    line = {"code_system": "CPT", "code": code, "units": 1, "charge": charge, "service_date": day}
    body = {
        "patient_control_number": pcn,
        "payer_id": "1935665544",
        "place_of_service": "11",
        "lines": [line],
    }
    return t.post("engine", "/v1/claims", body)


def claim_of(t: Tenant, pcn: str) -> Any:
    (summary,) = t.get("engine", "/v1/claims", patient_control_number=pcn)["items"]
    return t.get("engine", f"/v1/claims/{summary['id']}")


def pdf_text(pdf: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())


def mail_to(mail_dir: Path, recipient: str) -> list[EmailMessage]:
    found = []
    for path in sorted(mail_dir.glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if recipient in str(message["To"]):
            found.append(message)
    return found  # type: ignore[return-value]


def test_an_appeal_cites_the_contract_reaches_the_payer_and_is_tracked(new_tenant: Any, stack: Any) -> None:
    t = new_tenant("appeals")
    contract_id = rushmore_contract(t)
    for pcn, (code, charge, day) in CLAIMS.items():
        submit(t, pcn, code, charge, day)
    priced: dict[str, Any] = eventually(
        "both claims priced under the contract",
        lambda: (
            (found := {pcn: claim_of(t, pcn) for pcn in CLAIMS})
            and all(c["status"] == "priced" for c in found.values())
            and found
        ),
    )
    assert {pcn: (D(c["expected_allowed"]), c["contract_id"]) for pcn, c in priced.items()} == {
        "5554555444": (D("800.00"), contract_id),
        "8765432112": (D("1150.00"), contract_id),
    }

    upload = t.post("engine", "/v1/remittances/x12", content=MANAGED_CARE_835.read_bytes())
    assert upload["classifications"] == {"underpaid": 2}, upload
    variances = {v["patient_control_number"]: v for v in t.get("engine", "/v1/variances")["items"]}
    assert {pcn: (D(v["variance"]), v["remittance_date"]) for pcn, v in variances.items()} == {
        "5554555444": (D("50.00"), "2002-03-14"),
        "8765432112": (D("55.00"), "2002-03-14"),
    }

    # one letter for both: the contract, each clause, the calculation, the 835's codes, $105.00, the deadline
    appeal = t.post(
        "engine",
        "/v1/appeals",
        {"variance_ids": [v["id"] for v in variances.values()], "from_name": "Acme Medical Center"},
    )
    assert (appeal["status"], D(appeal["amount_due"]), appeal["deadline"]) == (
        "draft",
        D("105.00"),
        "2002-09-10",
    )
    pdf = t.call("GET", "engine", f"/v1/appeals/{appeal['id']}/letter.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    text = pdf_text(pdf.content)
    for cited in (
        "Acme Medical Center",
        "To: Rushmore Life (payer ID 1935665544)",
        "Rushmore Life PPO 2002, version 1, in force from January 1, 2002 to December 31, 2003",
        "The amount due is $105.00",
        "appeal window of 180 days this appeal is timely through September 10, 2002",
        "Claim 5554555444 (your claim number 94060555410000)",
        "1 99211 Professional and diagnostic $800.00 $500.00 PR-1 $300.00",
        "Claim-level adjustments: CO-A2 $50.00",
        "1 93555 Professional and diagnostic $1,150.00 $550.00 PR-1 $600.00 CO-45 $50.00",
        "due $55.00 (underpaid)",
    ):
        assert cited in text, f"{cited!r} not in {text!r}"
    explanation = t.get("engine", f"/v1/claims/{priced['5554555444']['id']}")["explanation"]
    fee_row = next(line for line in explanation.splitlines() if "fee schedule row" in line)
    assert "99211" in fee_row and "$800.00 x 1 unit(s) = $800.00" in fee_row
    assert " ".join(fee_row.split()) in text  # the stored calculation, step by step
    html = t.call("GET", "engine", f"/v1/appeals/{appeal['id']}/letter.html").text
    assert "Rushmore Life PPO 2002" in html and "$105.00" in html

    # sent: the payer's inbox gets the letter with the PDF attached; both variances are appealed
    sent = t.post("engine", f"/v1/appeals/{appeal['id']}/send", {"to": [PAYER_INBOX]})
    assert (sent["status"], sent["recipients"]) == ("sent", [PAYER_INBOX])
    (mail,) = eventually("the appeal in the payer's inbox", lambda: mail_to(stack.mail_dir, PAYER_INBOX))
    assert appeal["reference"] in str(mail["Subject"]) and "$105.00" in str(mail["Subject"])
    (attached,) = [p for p in mail.iter_attachments() if p.get_content_type() == "application/pdf"]
    assert attached.get_filename() == f"{appeal['reference']}.pdf"
    mailed = pdf_text(attached.get_content())
    assert "The amount due is $105.00" in mailed and "Professional and diagnostic" in mailed
    for v in variances.values():
        detail = t.get("engine", f"/v1/variances/{v['id']}")
        assert detail["status"] == "appealed"
        assert detail["history"][-1]["note"] == f"appeal {appeal['reference']} sent"
        (listed,) = t.get("engine", f"/v1/variances/{v['id']}/appeals")["items"]
        assert listed["id"] == appeal["id"]

    # the payer answers: acknowledged, then paid; a paid appeal cannot be escalated
    t.post("engine", f"/v1/appeals/{appeal['id']}/transitions", {"to": "acknowledged", "note": "ticket 7781"})
    paid = t.post("engine", f"/v1/appeals/{appeal['id']}/transitions", {"to": "paid", "amount": "105.00"})
    assert (paid["status"], D(paid["amount_paid"])) == ("paid", D("105.00"))
    assert [(h["from"], h["to"]) for h in paid["history"]] == [
        (None, "draft"),
        ("draft", "sent"),
        ("sent", "acknowledged"),
        ("acknowledged", "paid"),
    ]
    refused = t.call("POST", "engine", f"/v1/appeals/{appeal['id']}/transitions", json={"to": "escalated"})
    assert refused.status_code == 409 and "paid" in refused.json()["detail"]

    # an organisation's own template: refused when it reaches outside the sandbox, used once kept
    bad = "<p>{{ amount_due.__class__.__mro__ }}</p>"
    refused = t.call("PUT", "engine", "/v1/settings/appeal-template", content=bad.encode())
    assert refused.status_code == 422 and "sandbox" in refused.json()["detail"]
    mine = "<h1>Reconsideration {{ reference }}</h1><p>{{ payer_name }} owes {{ amount_due | money }}.</p>"
    assert t.call("PUT", "engine", "/v1/settings/appeal-template", content=mine.encode()).status_code == 200
    second = t.post("engine", "/v1/appeals", {"variance_ids": [variances["8765432112"]["id"]]})
    text = pdf_text(t.call("GET", "engine", f"/v1/appeals/{second['id']}/letter.pdf").content)
    assert f"Reconsideration {second['reference']}" in text and "Rushmore Life owes $55.00." in text

    # bad input is named; another organisation sees nothing
    unknown = t.call("POST", "engine", "/v1/appeals", json={"variance_ids": ["no-such-variance"]})
    assert unknown.status_code == 404
    bad_to = t.call("POST", "engine", f"/v1/appeals/{second['id']}/send", json={"to": ["not an address"]})
    assert bad_to.status_code == 422
    assert new_tenant("stranger").call("GET", "engine", f"/v1/appeals/{appeal['id']}").status_code == 404
