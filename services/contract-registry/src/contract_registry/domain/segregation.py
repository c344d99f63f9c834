"""Segregation of duties in the approval workflow: who may approve a contract for a role."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import SegregationOfDuties
from .status import ReviewDecision

if TYPE_CHECKING:
    from .contract import Contract

OWN_SUBMISSION = "own-submission"
DISTINCT_APPROVERS = "distinct-approvers"


def check_segregation(contract: Contract, decision: ReviewDecision, *, distinct_approvers: bool) -> None:
    """Refuse the approval (naming the rule) when its approver submitted the contract, or, with
    `distinct_approvers`, already approved it for another role. Approvers are key holders: a
    rotated key is the same holder."""
    approver = decision.reviewer_id
    if not approver:
        return
    if contract.submitted_by == approver:
        raise SegregationOfDuties(
            OWN_SUBMISSION,
            f"contract {contract.id}: segregation of duties ({OWN_SUBMISSION}): the approver submitted"
            " this contract for review and cannot approve it",
        )
    if not distinct_approvers:
        return
    earlier = [a.role for a in contract.approvals if a.reviewer_id == approver]
    if earlier:
        raise SegregationOfDuties(
            DISTINCT_APPROVERS,
            f"contract {contract.id}: segregation of duties ({DISTINCT_APPROVERS}): this approver already"
            f" approved it as {', '.join(earlier)}; {decision.role} needs a different approver",
        )
