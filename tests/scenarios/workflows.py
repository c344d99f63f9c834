"""Steps several scenarios share, done as the contracting team does them through the API."""

from __future__ import annotations

from typing import Any

from accord_common.devstack.demo_money import SCHEDULE

from tests.scenarios.conftest import Tenant


def activate_acme_professional(t: Tenant, schedule: str = SCHEDULE, **terms: Any) -> dict[str, Any]:
    """Payer Acme (X12 60054), its 2026 fee schedule (99213 at $100.00 unless `schedule` says other
    rates) and an activated professional contract paying from it (notice 90 days, appeal window 180,
    prompt pay 30, and any other `terms`, e.g. prompt_pay_interest_rate); returns the contract."""
    payer = t.post("registry", "/v1/payers", {"name": "Acme Health Plan", "x12_payer_id": "60054"})
    schedule = t.post(
        "registry",
        "/v1/fee-schedules",
        files={"file": ("acme-2026.csv", schedule, "text/csv")},
        data={"name": "Acme 2026 professional"},
    )
    contract = t.post(
        "registry",
        "/v1/contracts",
        {
            "payer_id": payer["id"],
            "name": "Acme PPO professional",
            "line_of_business": "commercial",
            "effective_date": "2026-01-01",
            "termination_date": "2027-12-31",
            "notice_days": 90,
            "appeal_window_days": 180,
            "prompt_pay_days": 30,
            "fee_schedule_id": schedule["schedule"]["id"],
            "payment_terms": [
                {
                    "name": "Professional",
                    "service_category": "professional",
                    "matcher": {"ranges": [{"code_system": "CPT", "first": "99202", "last": "99499"}]},
                    "methodology": {"kind": "fee_schedule"},
                }
            ],
            **terms,
        },
    )
    for step in ("submit", "activate"):
        t.post("registry", f"/v1/contracts/{contract['id']}/{step}", {})
    return dict(contract)
