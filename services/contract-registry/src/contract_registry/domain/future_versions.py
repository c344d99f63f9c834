"""Correcting or withdrawing a version entered by mistake, before it takes effect.

Only the latest version can change, and only while it starts after today: a version in force
(or past) has governed claims and stays as it is; a later amendment changes it from then on.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from .errors import VersionInForce
from .versions import ContractTerms, ContractVersion


def correct_latest(
    versions: tuple[ContractVersion, ...], number: int, terms: ContractTerms, today: date
) -> tuple[ContractVersion, ...]:
    """The latest version takes corrected terms: same number and dates."""
    latest = _future_latest(versions, number, today, "correct")
    return (*versions[:-1], replace(latest, terms=terms))


def withdraw_latest(
    versions: tuple[ContractVersion, ...], number: int, today: date
) -> tuple[ContractVersion, ...]:
    """Drop the latest version; the one before it is open-ended again, as it was before."""
    _future_latest(versions, number, today, "withdraw")
    if len(versions) < 2:
        raise VersionInForce(f"version {number} is the contract's only version: terminate it instead")
    return (*versions[:-2], replace(versions[-2], effective_to=None))


def _future_latest(
    versions: tuple[ContractVersion, ...], number: int, today: date, action: str
) -> ContractVersion:
    if not versions:
        raise VersionInForce("the contract has no versions yet: edit the draft instead")
    latest = versions[-1]
    if number != latest.number:
        raise VersionInForce(
            f"cannot {action} version {number}: only the latest version ({latest.number}) can change"
        )
    if latest.effective_from <= today:
        raise VersionInForce(
            f"cannot {action} {latest.describe()}: it took effect on "
            f"{latest.effective_from.isoformat()}; add an amendment instead"
        )
    return latest
