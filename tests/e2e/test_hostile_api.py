"""The four services as processes on PostgreSQL, attacked and fuzzed (issue 13's must-shows).

- An unauthenticated 20 MiB JSON body costs the service no memory (the key is checked before the
  body is read): the process's resident memory is read before and after.
- Schemathesis runs every operation of the four services (examples, coverage, fuzzing and stateful
  phases; fixed seed, bounded examples) and fails on any 5xx, any answer off the OpenAPI
  document (status, content type, schema), or any request the document allows that is refused
  (positive data acceptance; the few rules no schema can state are listed with their reasons in
  tests/e2e/schemathesis.toml).
- Last, every service's log is read for the PHI these tests and the fuzzing sent (patient names,
  member ids, patient control numbers) and for key material: none may appear.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest
from accord_common.auth import ALL_SCOPES
from accord_common.devstack.stack import SERVICES, Stack

pytestmark = pytest.mark.e2e

FUZZED = ("contract-registry", "reimbursement-engine", "obligation-tracker", "notifier")
SEED = 13
EXAMPLES = int(os.environ.get("ACCORD_FUZZ_EXAMPLES", "8"))
CHECKS = (
    "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,"
    "positive_data_acceptance"
)
# The operations whose documented 422 the positive-data check accepts, each with its reason.
CONFIG = Path(__file__).with_name("schemathesis.toml")
# PHI the tests send; none may reach a log.
PATIENT, MEMBER_ID, PCN = "ZEBULON QUILLFEATHER", "MQZ7730041", "PCN-PHI-58213"
KEY_SHAPE = re.compile(r"acc_[A-Za-z0-9]+_[A-Za-z0-9_-]{16,}")


@pytest.fixture(scope="module")
def keys(stack: Stack) -> dict[str, str]:
    """A key with every scope for a fresh organisation on each fuzzed service the stack runs (through
    its CLI; ACCORD_E2E_SERVICES may start fewer)."""
    org = f"org-fuzz-{uuid.uuid4().hex[:8]}"
    issued = {}
    for spec in SERVICES:
        if spec.name in FUZZED and spec.name in stack.services:
            done = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    spec.command.replace("-", "_") + ".cli",
                    "issue-api-key",
                    *("--org", org, "--name", "fuzz", "--scopes", ",".join(sorted(ALL_SCOPES))),
                ],
                capture_output=True,
                text=True,
                env=stack.env_for(spec),
                check=True,
                timeout=120,
            )
            issued[spec.name] = done.stdout.strip().splitlines()[-1]
    return issued


def _rss_kib(pid: int) -> int:
    for row in Path(f"/proc/{pid}/status").read_text().splitlines():
        if row.startswith("VmRSS:"):
            return int(row.split()[1])
    raise AssertionError("no VmRSS")


def test_an_unauthenticated_20_mib_body_costs_no_memory(stack: Stack) -> None:
    registry = stack.services["contract-registry"]
    body = b"[" + b"1," * (10 * 1024 * 1024) + b"1]"  # 20 MiB of JSON array
    before = _rss_kib(registry.popen.pid)
    with httpx.Client(base_url=registry.url, timeout=60) as client:
        for headers in ({}, {"Authorization": "Bearer acc_nope_not-a-real-key-at-all"}):
            for _ in range(3):
                response = client.post(
                    "/v1/payers", content=body, headers=headers | {"Content-Type": "application/json"}
                )
                assert response.status_code == 401, response.text
    grown = _rss_kib(registry.popen.pid) - before
    assert grown < 8 * 1024, f"resident memory grew {grown} KiB answering 401s"


def _patient_837() -> str:
    from reimbursement_engine.bench.x12_837 import generate_837

    last, first = PATIENT.split()[1], PATIENT.split()[0]
    return (
        generate_837(1)
        .replace("NM1*IL*1*DOE*SAM****MI*M000000001", f"NM1*IL*1*{last}*{first}****MI*{MEMBER_ID}")
        .replace("CLM*PCN00000001*", f"CLM*{PCN}*")
    )


def test_phi_sent_in_good_and_bad_requests(stack: Stack, keys: dict[str, str]) -> None:
    """Claims carrying PHI, accepted and refused, so the log check below has something to find."""
    engine = stack.services["reimbursement-engine"]
    auth = {"Authorization": f"Bearer {keys['reimbursement-engine']}"}
    with httpx.Client(base_url=engine.url, timeout=60, headers=auth) as client:
        taken = client.post("/v1/claims/x12", content=_patient_837())
        assert taken.status_code in (200, 201), taken.text
        refused = client.post("/v1/claims/x12", content=_patient_837().replace("SE*23*", "SE*99*"))
        assert refused.status_code == 422, refused.text
        bad_json = {"patient_control_number": PCN, "payer_id": MEMBER_ID, "lines": [{"charge": PATIENT}]}
        assert client.post("/v1/claims", json=bad_json).status_code == 422
    with httpx.Client(base_url=engine.url, timeout=60) as anonymous:
        wrong = anonymous.get("/v1/claims", headers={"Authorization": f"Bearer {keys['notifier']}x"})
        assert wrong.status_code == 401


def _registry_ids(url: str, key: str) -> tuple[str, str]:
    """A payer and a draft contract for the fuzzing to work on (see schemathesis.toml)."""
    with httpx.Client(base_url=url, timeout=60, headers={"Authorization": f"Bearer {key}"}) as client:
        payer = client.post("/v1/payers", json={"name": "Fuzz Health Plan", "x12_payer_id": "FUZZ1"})
        assert payer.status_code == 201, payer.text
        draft = {
            "payer_id": payer.json()["id"],
            "name": "Fuzzed draft",
            "line_of_business": "commercial",
            "effective_date": "2026-01-01",
            "termination_date": "2027-12-31",
            "auto_renew": True,
            "renewal_term_months": 12,
            "notice_days": 90,
        }
        contract = client.post("/v1/contracts", json=draft)
        assert contract.status_code == 201, contract.text
        return payer.json()["id"], contract.json()["id"]


@pytest.mark.timeout(1500)  # a few minutes a service on 2 quiet cores; far more on a loaded machine
@pytest.mark.parametrize("service", FUZZED)
def test_schemathesis_finds_no_5xx_and_no_answer_off_the_document(
    stack: Stack, keys: dict[str, str], service: str, tmp_path: Path
) -> None:
    url = stack.services[service].url
    ids = _registry_ids(url, keys[service]) if service == "contract-registry" else ("unused", "unused")
    done = subprocess.run(
        [
            str(Path(sys.executable).with_name("st")),
            "--config-file",
            str(CONFIG),
            "run",
            f"{url}/openapi.json",
            "--header",
            f"Authorization: Bearer {keys[service]}",
            "--checks",
            CHECKS,
            "--phases",
            "examples,coverage,fuzzing,stateful",
            "--seed",
            str(SEED),
            "--max-examples",
            str(EXAMPLES),
            "--workers",
            "1",
            "--no-shrink",
            "--request-timeout",
            "30",
            "--suppress-health-check",
            "all",
            "--output-sanitize",
            "true",
            "--report",
            "junit",
            "--report-dir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=1400,
        cwd=tmp_path,
        env=os.environ
        | {
            "SCHEMATHESIS_HOOKS": "schemathesis_hooks",
            "PYTHONPATH": str(Path(__file__).parent),
            "ACCORD_FUZZED_SERVICE": service,
            "ACCORD_FUZZ_PAYER_ID": ids[0],
            "ACCORD_FUZZ_CONTRACT_ID": ids[1],
        },
    )
    assert done.returncode == 0, done.stdout[-12000:] + done.stderr[-2000:]


def test_no_service_log_holds_phi_or_key_material(stack: Stack, keys: dict[str, str]) -> None:
    secrets = [PATIENT, *PATIENT.split(), MEMBER_ID, PCN, *keys.values()]
    secrets += [key.split("_", 2)[2] for key in keys.values()]  # the secret part alone
    found = []
    for name in FUZZED:
        text = stack.services[name].log_path.read_text(errors="replace")
        assert text, f"{name} logged nothing"
        found += [f"{name}: {s[:6]}..." for s in secrets if s in text]
        found += [f"{name}: key-shaped {m.group()[:8]}..." for m in KEY_SHAPE.finditer(text)]
    assert found == []
