"""Claim frequency codes (CLM05-3 / the type of bill's last digit) and late-arriving claims.

- 1 (or none): an original claim; a patient control number already live is a conflict.
- 7 replacement: supersedes the live claim with the same patient control number: the old one is
  marked `replaced` (kept for the record), the new one is priced and takes over its payments.
- 8 void: cancels the live claim with the same patient control number (`voided`); nothing new
  is priced. A void for a claim never received is refused.
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
from reimbursement_engine.handlers import reconcile

ORIGINAL, REPLACEMENT, VOID = "1", "7", "8"


def frequency(sub: ClaimSubmission) -> str:
    """The claim's frequency code: as sent, else the last digit of a type of bill, else original."""
    code = sub.header.get("frequency_code")
    if code:
        return str(code)
    bill = sub.header.get("type_of_bill") or ""
    return bill[-1] if len(bill) >= 3 and bill[-1] in (REPLACEMENT, VOID) else ORIGINAL


@dataclass
class Retirements:
    """Live claims that this submission replaces or voids, by patient control number."""

    replaced: dict[str, str] = field(default_factory=dict)
    voided: dict[str, str] = field(default_factory=dict)
    void_subs: list[ClaimSubmission] = field(default_factory=list)


async def retire_superseded(
    uow: UnitOfWork, org: str, submissions: list[ClaimSubmission], *, skip_unknown_voids: bool
) -> tuple[list[ClaimSubmission], Retirements]:
    """Mark the claims replacements and voids supersede; answers the submissions left to price."""
    repo = ClaimsRepository(uow.session, org)
    changing = [s for s in submissions if frequency(s) in (REPLACEMENT, VOID)]
    live = await repo.ids_by_pcn([s.patient_control_number for s in changing])
    out = Retirements()
    errors = []
    for i, sub in enumerate(submissions):
        pcn, code = sub.patient_control_number, frequency(sub)
        if code == VOID and pcn not in live:
            errors.append({"field": f"claims[{i}].frequency_code", "message": f"no claim {pcn!r} to void"})
        elif code == VOID:
            out.voided[pcn] = live[pcn]
            out.void_subs.append(sub)
        elif code == REPLACEMENT and pcn in live:
            out.replaced[pcn] = live[pcn]
    if errors and not skip_unknown_voids:
        raise Unprocessable(f"{len(errors)} void(s) name no claim held", errors=errors)
    for claim_id in out.voided.values():
        await repo.retire(claim_id, "voided", "voided by a frequency 8 claim")
        await reconcile.retire_variance(uow, org, claim_id, "claim voided (frequency 8)")
    for claim_id in out.replaced.values():
        await repo.retire(claim_id, "replaced", "replaced by a frequency 7 claim")
    remaining = [s for s in submissions if frequency(s) != VOID]
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
        await ClaimsRepository(uow.session, org).retire(old_id, "replaced", f"replaced by claim {new_id}")
        if await remittances.move_payments(old_id, new_id):
            touched.add(new_id)
        await reconcile.retire_variance(uow, org, old_id, f"claim replaced by {new_id} (frequency 7)")
    touched |= await remittances.attach_unmatched(new_ids)
    return touched
