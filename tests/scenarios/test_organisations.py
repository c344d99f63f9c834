"""Two provider organisations on one deployment: each sees only its own payers and claims."""

from __future__ import annotations

from typing import Any


def test_an_organisation_sees_only_its_own_payers(new_tenant: Any) -> None:
    stmarys, riverside = new_tenant("stmarys"), new_tenant("riverside")
    payer = stmarys.post("registry", "/v1/payers", {"name": "Acme Health Plan", "x12_payer_id": "60054"})
    assert stmarys.get("registry", f"/v1/payers/{payer['id']}")["name"] == "Acme Health Plan"
    assert riverside.call("GET", "registry", f"/v1/payers/{payer['id']}").status_code == 404
