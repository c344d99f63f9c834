"""Segregation of duties: the submitter never approves; each required role needs its own approver
unless the organisation allows one person for several roles."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from contract_registry.domain import ContractStatus, ReviewDecision
from contract_registry.domain.errors import SegregationOfDuties
from registry_factories import draft_contract

AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def by(role: str, approver: str) -> ReviewDecision:
    return ReviewDecision(role, f"{approver} (name)", AT, "", reviewer_id=approver)


@pytest.mark.parametrize(
    ("distinct", "submitter", "approvals", "refused_rule", "status"),
    [
        # legal by Lee, finance by Fox: two people, neither submitted -> approved
        (True, "kim", [("legal", "lee"), ("finance", "fox")], None, ContractStatus.APPROVED),
        # Lee approves legal, then tries finance too -> refused, finance still pending
        (True, "kim", [("legal", "lee"), ("finance", "lee")], "distinct-approvers", ContractStatus.IN_REVIEW),
        # the organisation allows one person for several roles -> Lee approves both
        (False, "kim", [("legal", "lee"), ("finance", "lee")], None, ContractStatus.APPROVED),
        # Kim submitted, Kim approves legal -> refused, whatever the setting
        (True, "kim", [("legal", "kim")], "own-submission", ContractStatus.IN_REVIEW),
        (False, "kim", [("legal", "kim")], "own-submission", ContractStatus.IN_REVIEW),
    ],
)
def test_who_may_approve(
    distinct: bool,
    submitter: str,
    approvals: list[tuple[str, str]],
    refused_rule: str | None,
    status: ContractStatus,
) -> None:
    contract = draft_contract()
    contract.submit_for_review(submitted_by=submitter)
    *allowed, last = approvals
    for role, approver in allowed:
        contract.approve(by(role, approver), distinct_approvers=distinct)
    if refused_rule is None:
        contract.approve(by(*last), distinct_approvers=distinct)
    else:
        with pytest.raises(
            SegregationOfDuties, match=f"segregation of duties \\({refused_rule}\\)"
        ) as refused:
            contract.approve(by(*last), distinct_approvers=distinct)
        assert refused.value.rule == refused_rule
    assert contract.status is status


def test_a_refused_approval_leaves_the_approvals_unchanged() -> None:
    contract = draft_contract()
    contract.submit_for_review(submitted_by="kim")
    contract.approve(by("legal", "lee"))
    with pytest.raises(SegregationOfDuties):
        contract.approve(by("finance", "lee"))
    assert [(a.role, a.reviewer_id) for a in contract.approvals] == [("legal", "lee")]
    assert contract.pending_roles == {"finance"}


def test_resubmission_names_the_new_submitter() -> None:
    contract = draft_contract()
    contract.submit_for_review(submitted_by="kim")
    contract.reject(ReviewDecision("legal", "Lee", AT, "indemnity missing", "lee"))
    contract.submit_for_review(submitted_by="lee")
    contract.approve(by("legal", "kim"))  # Kim no longer the submitter
    with pytest.raises(SegregationOfDuties, match="own-submission"):
        contract.approve(by("finance", "lee"))
