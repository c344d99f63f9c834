"""Claim intake validation: the batch endpoint's hand-written lean validator against pydantic.

The same JSON body (1,000 claims x 5 lines, the batch bench's workload) is validated by
(a) the lean path: json.loads + claims_lean.lean_submissions (yields submissions);
(b) TypeAdapter(list[ClaimIn]).validate_json on the raw bytes, then each claim as a submission
    (model_dump + claims_mapping.submission, the way the single-claim path built them);
(c) json.loads + TypeAdapter(list[ClaimIn]).validate_python, then each claim as a submission.
(d) the shared claim command: claim_command.batch_claims (TypeAdapter(ClaimBatchIn).validate_json)
    + claim_command.submissions (rows straight from the models' attributes).
(b) and (c) are also timed without building submissions (validation alone). Prints claims/s
(best of the rounds, one core) and each path's ratio to the lean path.

Run: .venv/bin/python services/reimbursement-engine/bench/intake.py [--rounds N]
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from datetime import date
from typing import Any

from pydantic import TypeAdapter
from reimbursement_engine.adapters.claims_mapping import ClaimSubmission, submission
from reimbursement_engine.bench.workload import claims
from reimbursement_engine.entrypoints.claim_command import batch_claims, submissions
from reimbursement_engine.entrypoints.claims_lean import lean_submissions
from reimbursement_engine.entrypoints.schemas_claims import ClaimIn

CLAIMS = 1000
TODAY = date(2026, 12, 2)
ADAPTER = TypeAdapter(list[ClaimIn])


def _lean(body: bytes, _: bytes) -> int:
    subs = lean_submissions(json.loads(body), TODAY)
    assert subs is not None, "the lean path declined the workload"
    return len(subs)


def _as_submissions(models: list[ClaimIn]) -> list[ClaimSubmission]:
    return [submission(m.model_dump(), "json", TODAY) for m in models]


def _validate_json(_: bytes, claims_json: bytes) -> int:
    return len(_as_submissions(ADAPTER.validate_json(claims_json)))


def _validate_python(body: bytes, _: bytes) -> int:
    return len(_as_submissions(ADAPTER.validate_python(json.loads(body)["claims"])))


def _command(body: bytes, _: bytes) -> int:
    return len(submissions(batch_claims(body), "json", TODAY))


def _validate_json_only(_: bytes, claims_json: bytes) -> int:
    return len(ADAPTER.validate_json(claims_json))


def _validate_python_only(body: bytes, _: bytes) -> int:
    return len(ADAPTER.validate_python(json.loads(body)["claims"]))


PATHS: dict[str, Callable[[bytes, bytes], int]] = {
    "lean (json.loads + lean_submissions)": _lean,
    "pydantic validate_json + submissions": _validate_json,
    "pydantic validate_python + submissions": _validate_python,
    "claim_command (validate_json + submissions)": _command,
    "pydantic validate_json only": _validate_json_only,
    "pydantic validate_python only": _validate_python_only,
}


def _best(run: Callable[[bytes, bytes], int], body: bytes, claims_json: bytes, rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        start = time.process_time()
        assert run(body, claims_json) == CLAIMS
        best = min(best, time.process_time() - start)
    return CLAIMS / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    batch: list[dict[str, Any]] = claims(0, CLAIMS)
    assert sum(len(c["lines"]) for c in batch) == CLAIMS * 5
    body = json.dumps({"claims": batch}).encode()
    claims_json = json.dumps(batch).encode()
    lean_rate = 0.0
    print(f"{CLAIMS} claims x 5 lines, {len(body):,} bytes, best of {args.rounds} rounds (CPU time)")
    for name, run in PATHS.items():
        rate = _best(run, body, claims_json, args.rounds)
        lean_rate = lean_rate or rate
        print(f"{name:42} {rate:10,.0f} claims/s  ratio to lean {rate / lean_rate:5.2f}")


if __name__ == "__main__":
    main()
