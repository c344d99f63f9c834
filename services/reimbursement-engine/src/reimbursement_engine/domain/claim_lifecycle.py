"""Claim lifecycle: what a submitted claim does to the claim already held for its patient control
number, by its frequency code (CLM05-3, or the type of bill's last digit).

- 1 original (or none): a new claim; one already live with the same number is a duplicate.
- 7 replacement: supersedes the live claim (it becomes `replaced`, kept for the record); the new
  one is priced and takes over its payments. A replacement for a claim never received is priced
  as the first claim.
- 8 void: cancels the live claim (`voided`); nothing new is priced. A void naming no claim held
  is refused.

Pure: no I/O. The handler loads the live claim, asks `decide`, and stores what it answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ClaimFrequency(StrEnum):
    """CLM05-3 claim frequency type codes the engine acts on."""

    ORIGINAL = "1"
    REPLACEMENT = "7"
    VOID = "8"


class ClaimStatus(StrEnum):
    """Where a stored claim stands in its lifecycle."""

    PENDING = "pending"
    PRICED = "priced"
    NEEDS_REVIEW = "needs_review"
    REPLACED = "replaced"
    VOIDED = "voided"


class Action(StrEnum):
    """What intake does with a submitted claim."""

    PRICE = "price"  # store and price it as a new claim
    REPLACE = "replace"  # retire the live claim as replaced, price the new one in its place
    VOID = "void"  # retire the live claim as voided; nothing is priced
    DUPLICATE = "duplicate"  # an original for a number already live
    UNKNOWN_VOID = "unknown_void"  # a void naming no claim held


@dataclass(frozen=True, slots=True)
class LifecycleDecision:
    """The decision for one submitted claim: the action, the live claim it retires (if any), the
    status that live claim takes, and why (for the claim's status reason)."""

    action: Action
    retires: str | None = None
    retired_status: ClaimStatus | None = None
    reason: str = ""


def frequency_of(frequency_code: str | None, type_of_bill: str | None) -> ClaimFrequency:
    """The claim's frequency: as sent, else the last digit of a 3-4 digit type of bill when it is
    7 or 8, else original."""
    if frequency_code:
        return ClaimFrequency(frequency_code)
    bill = type_of_bill or ""
    if len(bill) >= 3 and bill[-1] in (ClaimFrequency.REPLACEMENT, ClaimFrequency.VOID):
        return ClaimFrequency(bill[-1])
    return ClaimFrequency.ORIGINAL


def decide(frequency: ClaimFrequency, live_claim_id: str | None) -> LifecycleDecision:
    """What a claim of this frequency does, given the live claim held for its patient control
    number (None when there is none)."""
    if frequency is ClaimFrequency.VOID:
        if live_claim_id is None:
            return LifecycleDecision(Action.UNKNOWN_VOID, reason="no claim held to void")
        return LifecycleDecision(
            Action.VOID, live_claim_id, ClaimStatus.VOIDED, "voided by a frequency 8 claim"
        )
    if frequency is ClaimFrequency.REPLACEMENT:
        if live_claim_id is None:
            return LifecycleDecision(Action.PRICE, reason="replacement for a claim never received")
        return LifecycleDecision(
            Action.REPLACE, live_claim_id, ClaimStatus.REPLACED, "replaced by a frequency 7 claim"
        )
    if live_claim_id is not None:
        return LifecycleDecision(Action.DUPLICATE, reason="already submitted")
    return LifecycleDecision(Action.PRICE)
