"""A revenue-cycle team's quarter in spreadsheets: exports, the payer scorecard and a renewal what-if
(issue 14 items 5, 8 and 9).

Acme's professional contract (workflows.activate_acme_professional) pays CPT 99213 at $100.00, prompt
pay 30 days at 12% a year. Three office visits, $150.00 billed each, are paid by one 835 of 2026-02-25:

  X-1  service 01-12, received 01-15: paid $80.00 (CO-45)  underpaid $20.00; 41 days, 11 late:
       interest $80.00 x 12% x 11 / 365 = $0.289 -> $0.29
  X-2  service 01-20, received 01-22: denied CO-197 (RARC M62 on the line)  $100.00; 34 days, 4 late
       (nothing paid: no interest)
  X-3  service 02-03, received 02-05: paid $100.00 as expected; 20 days

The team appeals X-1 and records $20.00 recovered. The scorecard for January-February: expected
$300.00, paid $180.00, underpayment $20.00 (1 of 3: 0.3333), denials 0.3333 (CO; M62), average days
to pay (41 + 34 + 20) / 3 = 31.7, two paid late, interest owed $0.29, one recovery of $20.00.

For the renewal the payer proposes 99213 at $104.00 (an XLSX rate sheet): over the year of service to
2026-12-31 the three claims would expect $312.00 instead of $300.00 (+$12.00); at the clinic's cost
of $62.50 a visit ($187.50) the margin goes from $112.50 to $124.50. A 2% cut on 99213-99215 instead:
$294.00 (-$6.00).
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from tests.scenarios.conftest import Tenant, eventually
from tests.scenarios.workflows import activate_acme_professional

pytestmark = pytest.mark.timeout(900)  # key issuance through each CLI is slow on a busy machine
D = Decimal
CLAIMS = {
    "X-1": ("2026-01-12", "2026-01-15"),
    "X-2": ("2026-01-20", "2026-01-22"),
    "X-3": ("2026-02-03", "2026-02-05"),
}
SCHEDULE = (
    "code_system,code,modifiers,place_of_service,setting,unit,rate_kind,amount,percentage,"
    "effective_from,effective_to\n"
    "CPT,99213,,,,unit,amount,100.00,,2026-01-01,\n"
    "CPT,99214,,,,unit,amount,150.00,,2026-01-01,\n"
)


def x12_835() -> str:
    """The payer's 835 of 2026-02-25 (BPR02 = 80.00 + 0 + 100.00 = 180.00)."""
    claims = [
        ("X-1", "1", "80.00", "20260112", "CAS*CO*45*70.00", []),
        ("X-2", "4", "0", "20260120", "CAS*CO*197*150.00", ["LQ*HE*M62"]),
        ("X-3", "1", "100.00", "20260203", "CAS*CO*45*50.00", []),
    ]
    segments = []
    for pcn, status, paid, day, cas, remarks in claims:
        segments += [
            f"CLP*{pcn}*{status}*150.00*{paid}*0*12*PAYER-{pcn}*11*1",
            f"SVC*HC:99213*150.00*{paid}**1",
            f"DTM*472*{day}",
            cas,
            "REF*6R*1",
            *remarks,
        ]
    body = [
        "ST*835*0001",
        "BPR*I*180.00*C*ACH*CCP*01*999999999*DA*123456*1512345678**01*999988880*DA*98765*20260225",
        "TRN*1*EFT-20260225-ACME*1512345678",
        "DTM*405*20260225",
        "N1*PR*ACME HEALTH PLAN*XV*60054",
        "N1*PE*RIVERSIDE CLINIC*XX*1234567893",
        "LX*1",
        *segments,
    ]
    body.append(f"SE*{len(body) + 1}*0001")
    isa = (
        "ISA*00*          *00*          *ZZ*ACME           *ZZ*RIVERSIDE      "
        "*260225*1200*^*00501*000000201*0*P*:"
    )
    envelope = [
        isa,
        "GS*HP*ACME*RIVERSIDE*20260225*1200*201*X*005010X221A1",
        *body,
        "GE*1*201",
        "IEA*1*000000201",
    ]
    return "~\n".join(envelope) + "~\n"


def claim_of(t: Tenant, pcn: str) -> Any:
    (summary,) = t.get("engine", "/v1/claims", patient_control_number=pcn)["items"]
    return t.get("engine", f"/v1/claims/{summary['id']}")


def sheet(t: Tenant, service: str, path: str, **params: Any) -> list[tuple[Any, ...]]:
    response = t.call("GET", service, path, params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    return list(book.worksheets[0].iter_rows(values_only=True))


def table(t: Tenant, service: str, path: str, **params: Any) -> list[dict[str, str]]:
    response = t.call("GET", service, path, params=params)
    assert response.status_code == 200, response.text
    return list(csv.DictReader(io.StringIO(response.text)))


def cents(value: Any) -> Decimal:
    return D(str(value)).quantize(D("0.01"))


def xlsx(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    ws = book.active
    assert ws is not None
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def a_quarter_of_claims(t: Tenant) -> tuple[str, dict[str, Any]]:
    contract = activate_acme_professional(t, SCHEDULE, prompt_pay_interest_rate="12")
    for pcn, (service, received) in CLAIMS.items():
        line = {
            "code_system": "CPT",
            "code": "99213",
            "units": 1,
            "charge": "150.00",
            "service_date": service,
        }
        body = {
            "patient_control_number": pcn,
            "payer_id": "60054",
            "place_of_service": "11",
            "received_date": received,
            "lines": [line],
        }
        t.post("engine", "/v1/claims", body)
    eventually(
        "the claims priced",
        lambda: all(claim_of(t, pcn)["status"] == "priced" for pcn in CLAIMS) or None,
    )
    upload = t.post("engine", "/v1/remittances/x12", content=x12_835().encode())
    assert upload["classifications"] == {"underpaid": 1, "denied": 1, "paid_as_expected": 1}, upload
    variances = {v["patient_control_number"]: v for v in t.get("engine", "/v1/variances")["items"]}
    x1 = variances["X-1"]["id"]
    t.post("engine", f"/v1/variances/{x1}/transitions", {"to": "appealed"})
    t.post("engine", f"/v1/variances/{x1}/transitions", {"to": "recovered", "amount": "20.00"})
    return str(contract["id"]), variances


def test_exports_scorecard_and_a_renewal_what_if(new_tenant: Any) -> None:
    t = new_tenant("spreadsheets")
    contract_id, _ = a_quarter_of_claims(t)
    recovered_on = datetime.now(UTC).date()

    # exports: variances and claims as XLSX, read back to the cent; the worklist and analytics as CSV
    rows = sheet(t, "engine", "/v1/exports/variances.xlsx")
    header = rows[0]
    found = {r[header.index("patient_control_number")]: r for r in rows[1:]}
    assert {
        pcn: (r[header.index("classification")], cents(r[header.index("variance")]))
        for pcn, r in found.items()
    } == {
        "X-1": ("underpaid", D("20.00")),
        "X-2": ("denied", D("100.00")),
        "X-3": ("paid_as_expected", D("0.00")),
    }
    assert found["X-2"][header.index("carcs")] == "CO-197"
    assert found["X-1"][header.index("remittance_date")].date() == date(2026, 2, 25)
    claims = sheet(t, "engine", "/v1/exports/claims.xlsx")
    h = claims[0]
    assert sorted(
        (
            r[h.index("patient_control_number")],
            r[h.index("code")],
            cents(r[h.index("line_expected_allowed")]),
            r[h.index("term")],
        )
        for r in claims[1:]
    ) == [
        ("X-1", "99213", D("100.00"), "Professional"),
        ("X-2", "99213", D("100.00"), "Professional"),
        ("X-3", "99213", D("100.00"), "Professional"),
    ]
    open_work = table(t, "engine", "/v1/exports/worklist.csv")
    assert [(w["section"], w["code"], w["carc"], D(w["amount"]), w["claim_count"]) for w in open_work] == [
        ("recoverable", "99213", "CO-197", D("100.00"), "1")  # X-1 is recovered, X-3 was paid as expected
    ]
    (analytics,) = table(
        t, "engine", "/v1/exports/analytics.csv", **{"from": "2026-01-01", "to": "2026-02-28"}
    )
    assert (D(analytics["expected_allowed"]), D(analytics["paid"]), D(analytics["underpayment_amount"])) == (
        D("300.00"),
        D("180.00"),
        D("20.00"),
    )

    # the tracker's deadlines as XLSX: each remitted claim's appeal deadline, 2026-02-25 + 180 days
    def appeal_rows() -> list[tuple[Any, ...]] | None:
        found = sheet(t, "tracker", "/v1/exports/obligations.xlsx", kind="appeal")
        return found if len(found) >= 3 else None

    deadlines = eventually("the appeal deadlines in the tracker's export", appeal_rows)
    dh = deadlines[0]
    by_claim = {r[dh.index("patient_control_number")]: r for r in deadlines[1:]}
    assert by_claim["X-2"][dh.index("due_date")].date() == date(2026, 8, 24)

    # the payer scorecard, trended by month, and as XLSX
    card = t.get("engine", "/v1/scorecard", **{"from": "2026-01-01", "to": "2026-02-28"})
    (acme,) = card["items"]
    recovery_days = (recovered_on - date(2026, 2, 25)).days
    assert {k: v for k, v in acme.items() if k != "months"} == {
        "payer_id": "60054",
        "contract_id": contract_id,
        "prompt_pay_days": 30,
        "claims": 3,
        "reconciled_claims": 3,
        "expected_allowed": "300.00",
        "expected_reconciled": "300.00",
        "paid": "180.00",
        "patient_responsibility": "0.00",
        "underpayment_amount": "20.00",
        "underpayment_rate": "0.3333",
        "denial_rate": "0.3333",
        "denial_rate_by_carc_group": {"CO": "0.3333"},
        "denial_rate_by_rarc": {"M62": "0.3333"},
        "average_days_to_pay": "31.7",
        "paid_late": 2,
        "prompt_pay_interest_owed": "0.29",
        "recovered_claims": 1,
        "recovered_amount": "20.00",
        "average_recovery_days": f"{recovery_days}.0",
    }
    assert [(m["month"], m["claims"], m["paid"], m["prompt_pay_interest_owed"]) for m in acme["months"]] == [
        ("2026-01", 2, "80.00", "0.29"),
        ("2026-02", 1, "100.00", "0.00"),
    ]
    rows = sheet(t, "engine", "/v1/exports/scorecard.xlsx", **{"from": "2026-01-01", "to": "2026-02-28"})
    sh = rows[0]
    assert [
        (r[sh.index("month")], cents(r[sh.index("paid")]), cents(r[sh.index("prompt_pay_interest_owed")]))
        for r in rows[1:]
    ] == [
        ("total", D("180.00"), D("0.29")),
        ("2026-01", D("80.00"), D("0.29")),
        ("2026-02", D("100.00"), D("0.00")),
    ]

    # the fee schedule as XLSX, and a payer's rate sheet imported from XLSX with the row-level report
    (schedule,) = t.get("registry", "/v1/fee-schedules")["items"]
    schedule_id = schedule["id"]
    rates = sheet(t, "registry", f"/v1/fee-schedules/{schedule_id}/export.xlsx")
    rh = rates[0]
    assert [(r[rh.index("code")], cents(r[rh.index("amount")])) for r in rates[1:]] == [
        ("99213", D("100.00")),
        ("99214", D("150.00")),
    ]
    header_2027 = ["code_system", "code", "modifiers", "rate_kind", "amount", "effective_from"]
    bad = xlsx(
        [
            header_2027,
            ["CPT", 99213, None, "amount", 104, "2027-01-01"],
            ["CPT", 99214, None, "amount", "n/a", "2027-01-01"],
        ]
    )
    files = {
        "file": ("acme-2027.xlsx", bad, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    }
    refused = t.call(
        "POST", "registry", "/v1/fee-schedules/xlsx", files=files, data={"name": "Acme 2027 proposal"}
    )
    assert refused.status_code == 422
    assert [(e["row"], e["column"]) for e in refused.json()["errors"]] == [(3, "amount")]
    good = xlsx(
        [
            header_2027,
            ["CPT", 99213, None, "amount", 104, "2027-01-01"],
            ["CPT", 99214, None, "amount", 156.5, "2027-01-01"],
        ]
    )
    files = {
        "file": ("acme-2027.xlsx", good, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    }
    imported = t.post("registry", "/v1/fee-schedules/xlsx", files=files, data={"name": "Acme 2027 proposal"})
    assert (imported["rows_accepted"], imported["error_count"], imported["schedule"]["source"]) == (
        2,
        0,
        "xlsx",
    )
    rows_2027 = t.get("registry", f"/v1/fee-schedules/{imported['schedule']['id']}/rows")["items"]
    assert [(r["code"], D(r["amount"])) for r in rows_2027] == [("99213", D("104")), ("99214", D("156.5"))]

    # the renewal what-if: the proposed rate sheet against the year's claims, with margin
    t.post("engine", "/v1/costs", content=b"code_system,code,cost\nCPT,99213,62.50\n")
    proposal = xlsx([["code_system", "code", "amount"], ["CPT", 99213, 104]])
    files = {
        "file": (
            "acme-2027.xlsx",
            proposal,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    }
    impact = t.post("engine", "/v1/what-if/fee-schedule", files=files, data={"as_of": "2026-12-31"})
    assert (impact["service_from"], impact["service_to"], impact["claims"]) == ("2026-01-01", "2026-12-31", 3)
    assert (D(impact["total"]["current"]), D(impact["total"]["proposed"]), D(impact["total"]["change"])) == (
        D("300.00"),
        D("312.00"),
        D("12.00"),
    )
    (code,) = impact["by_code"]
    assert (
        code["key"],
        D(code["units"]),
        code["cost_of_service"],
        code["margin_current"],
        code["margin_proposed"],
    ) == (
        "99213",
        D(3),
        "187.50",
        "112.50",
        "124.50",
    )
    assert [(p["key"], D(p["change"])) for p in impact["by_payer"]] == [("60054", D("12.00"))]
    assert [(s["key"], D(s["change"])) for s in impact["by_service_line"]] == [("Professional", D("12.00"))]
    cut = t.post(
        "engine",
        "/v1/what-if/rate-change",
        {"code_from": "99213", "code_to": "99215", "percent": "-2", "as_of": "2026-12-31"},
    )
    assert (D(cut["total"]["proposed"]), D(cut["total"]["change"])) == (D("294.00"), D("-6.00"))
    bad_sheet = t.call(
        "POST",
        "engine",
        "/v1/what-if/fee-schedule",
        files={"file": ("p.csv", b"code,amount\n99213,104\n", "text/csv")},
    )
    assert bad_sheet.status_code == 422 and "code_system" in bad_sheet.json()["detail"]
