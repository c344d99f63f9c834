"""The contract's statuses, lines of business, the statuses each action is allowed from, and the
review decisions (approvals and rejections) the approval workflow records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class ContractStatus(StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    ACTIVE = "active"
    EXPIRED = "expired"
    TERMINATED = "terminated"


class LineOfBusiness(StrEnum):
    COMMERCIAL = "commercial"
    MEDICARE_ADVANTAGE = "medicare_advantage"
    MEDICAID_MANAGED_CARE = "medicaid_managed_care"
    WORKERS_COMPENSATION = "workers_compensation"
    OTHER = "other"


S = ContractStatus
ALLOWED_FROM: dict[str, frozenset[ContractStatus]] = {
    "revise the draft": frozenset({S.DRAFT}),
    "submit for review": frozenset({S.DRAFT}),
    "approve": frozenset({S.IN_REVIEW}),
    "reject": frozenset({S.IN_REVIEW, S.APPROVED}),
    "activate": frozenset({S.APPROVED}),
    "amend": frozenset({S.ACTIVE}),
    "renew": frozenset({S.ACTIVE, S.EXPIRED}),
    "expire": frozenset({S.ACTIVE}),
    "terminate": frozenset({S.ACTIVE}),
}


@dataclass(frozen=True, slots=True)
class ReviewDecision:
    """An approval or rejection: which role, who (the key holder's name and id), when, and why."""

    role: str
    reviewer: str
    at: datetime
    comment: str = ""
    reviewer_id: str = ""
    """The reviewer's key holder id (the same across the key's rotations); "" before it was kept."""
