"""Claim lifecycle at intake: load the live claim each submission names, let the domain decide
(domain/claim_lifecycle.py: original, replacement, void), store what it decided.

Payments that arrived before their claim (unmatched, same patient control number) are attached
to it when it is stored, and the claim is reconciled then.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from accord_common.errors import Unprocessable
from accord_common.uow import UnitOfWork

from reimbursement_engine.adapters.claims_mapping import ClaimSubmission
from reimbursement_engine.adapters.claims_repo import ClaimsRepository
from reimbursement_engine.adapters.remittance_repo import RemittanceRepository
from reimbursement_engine.domain.claim_lifecycle import (
    Action,
    ClaimFrequency,
    ClaimStatus,
    LifecycleDecision,
    decide,
    frequency_of,
)
from reimbursement_engine.handlers import reconcile


def frequency(sub: ClaimSubmission) -> ClaimFrequency:
    """The submission's frequency (as sent, else from its type of bill, else original)."""
    return frequency_of(sub.header.get("frequency_code"), sub.header.get("type_of_bill"))


@dataclass
class Retirements:
    """Live claims that this submission replaces or voids, by patient control number."""

    replaced: dict[str, str] = field(default_factory=dict)
    voided: dict[str, str] = field(default_factory=dict)
    void_subs: list[ClaimSubmission] = field(default_factory=list)


def _decisions(submissions: list[ClaimSubmission], live: dict[str, str]) -> list[LifecycleDecision]:
    return [decide(frequency(s), live.get(s.patient_control_number)) for s in submissions]


async def retire_superseded(
    uow: UnitOfWork, org: str, submissions: list[ClaimSubmission], *, skip_unknown_voids: bool
) -> tuple[list[ClaimSubmission], Retirements]:
    """Mark the claims replacements and voids supersede; answers the submissions left to price
    (originals already live stay in: the duplicate check refuses or skips them)."""
    repo = ClaimsRepository(uow.session, org)
    live = await repo.ids_by_pcn([s.patient_control_number for s in submissions])
    decisions = _decisions(submissions, live)
    out = Retirements()
    errors = []
    for i, (sub, decision) in enumerate(zip(submissions, decisions, strict=True)):
        pcn = sub.patient_control_number
        if decision.action is Action.UNKNOWN_VOID:
            errors.append({"field": f"claims[{i}].frequency_code", "message": f"no claim {pcn!r} to void"})
        elif decision.action is Action.VOID and decision.retires is not None:
            out.voided[pcn] = decision.retires
            out.void_subs.append(sub)
        elif decision.action is Action.REPLACE and decision.retires is not None:
            out.replaced[pcn] = decision.retires
    if errors and not skip_unknown_voids:
        raise Unprocessable(f"{len(errors)} void(s) name no claim held", errors=errors)
    for decision in decisions:
        if decision.retires is None or decision.retired_status is None:
            continue
        await repo.retire(decision.retires, decision.retired_status, decision.reason)
        if decision.action is Action.VOID:
            await reconcile.retire_variance(uow, org, decision.retires, "claim voided (frequency 8)")
    remaining = [
        s
        for s, d in zip(submissions, decisions, strict=True)
        if d.action not in (Action.VOID, Action.UNKNOWN_VOID)
    ]
    return remaining, out


async def take_over_payments(
    uow: UnitOfWork, org: str, new_ids: dict[str, str], retirements: Retirements
) -> set[str]:
    """Replacements take their predecessor's payments; unmatched payments find their claim.
    Answers the new claim ids that now have payments (to reconcile once priced)."""
    remittances = RemittanceRepository(uow.session, org)
    touched: set[str] = set()
    for pcn, old_id in retirements.replaced.items():
        new_id = new_ids[pcn]
        await ClaimsRepository(uow.session, org).retire(
            old_id, ClaimStatus.REPLACED, f"replaced by claim {new_id}"
        )
        if await remittances.move_payments(old_id, new_id):
            touched.add(new_id)
        await reconcile.retire_variance(uow, org, old_id, f"claim replaced by {new_id} (frequency 7)")
    touched |= await remittances.attach_unmatched(new_ids)
    return touched
