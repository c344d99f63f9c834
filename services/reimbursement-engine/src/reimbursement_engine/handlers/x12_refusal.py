"""An X12 file refused: one 422 problem listing every breach with its segment and rule."""

from __future__ import annotations

from typing import Any

from accord_common.errors import Unprocessable

from reimbursement_engine.domain.x12 import Breach, Finding, X12Error


def refusal(kind: str, error: X12Error) -> Unprocessable:
    """The 422 for a file `kind` ("835", "837") that raised `error`: nothing of it is stored."""
    breaches = error.breaches
    first = breaches[0]
    detail = (
        f"{kind} refused, nothing stored: {len(breaches)} rule breach(es); first at segment "
        f"{first.segment_index} ({first.segment_id or '?'}): [{first.rule}] {first.message}"
    )
    return Unprocessable(detail, errors=[breach_view(b) for b in breaches])


def breach_view(breach: Breach) -> dict[str, Any]:
    """Where (0-based segment index in the file, ISA = 0; segment id), which rule, what is wrong."""
    return {
        "segment": breach.segment_id,
        "segment_index": breach.segment_index,
        "rule": breach.rule,
        "message": breach.message,
    }


def flag_view(finding: Finding, patient_control_number: str) -> dict[str, Any]:
    """A rule breach the file was still taken with (e.g. a stray component separator)."""
    return {**breach_view(finding.breach), "patient_control_number": patient_control_number}
