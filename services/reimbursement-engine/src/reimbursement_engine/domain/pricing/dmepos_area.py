"""Which DMEPOS amount a line takes: the state and rural / non-rural column of the fee schedule,
decided by where the beneficiary lives (not where the supplier is).

The beneficiary's residence ZIP (on the claim) through CMS's ZIP5 file gives the state and the
RURAL IND: R (rural) or B (super rural) take the state's (R) amount when the file has one, blank
(urban) the (NR) amount. Without a ZIP the file knows, the state of the claim's Medicare locality
prices the line at the non-rural amount, as before, and the line is flagged.
"""

from __future__ import annotations

from dataclasses import dataclass

from .claim import Claim

_KIND = {"": "urban (RURAL IND blank)", "R": "rural (RURAL IND R)", "B": "super rural (RURAL IND B)"}


@dataclass(frozen=True, slots=True)
class DmeposArea:
    """The state and column a DMEPOS line is priced in, why, and a flag when it was assumed."""

    state: str | None
    rural: bool
    why: str
    flag: str | None = None


def dmepos_area(claim: Claim, locality_state: str | None) -> DmeposArea:
    """By the beneficiary's residence ZIP; else `locality_state` (the claim's Medicare locality's
    state, None when unknown) at the non-rural amount, flagged."""
    residence = claim.residence
    if residence is not None:
        where = f"beneficiary ZIP {residence.zip_code} in {residence.state}"
        kind = _KIND.get(residence.rural_indicator or "")
        if residence.rural_indicator is None or kind is None:
            why = f"{where}; its rural indicator is not loaded (reload CMS's ZIP5 file): non-rural assumed"
            return DmeposArea(residence.state, False, why, flag=f"DMEPOS: {why}")
        return DmeposArea(residence.state, residence.rural, f"{where}, {kind} in CMS's ZIP5 file")
    if claim.beneficiary_zip:
        missing = f"beneficiary ZIP {claim.beneficiary_zip} is not in CMS's ZIP5 file"
    else:
        missing = "no beneficiary ZIP on the claim"
    state = "no state" if locality_state is None else f"state {locality_state}"
    why = f"{missing}: {state} of the claim's Medicare locality, non-rural assumed"
    return DmeposArea(locality_state, False, why, flag=f"DMEPOS: {why}")
