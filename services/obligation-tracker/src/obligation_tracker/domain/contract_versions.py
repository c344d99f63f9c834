"""Which contract version a claim's deadlines come from: the one in force on its date of service,
chosen as pricing chooses it (the latest start among the versions in force, then the highest
number), or exactly the version the engine says priced the claim."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class VersionPeriod:
    """When one held version of a contract is in force."""

    version: int
    effective_from: date
    effective_to: date | None = None

    def in_force_on(self, on: date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)


def version_for_claim(
    held: Iterable[VersionPeriod], date_of_service: date, priced_with: int | None
) -> int | None:
    """The version number whose terms set the claim's deadlines; None when it is not held yet.

    The version that priced the claim when the pricing names one (None until that version
    arrives); else the version in force on the date of service; else (a date of service outside
    every version) the latest version held."""
    versions = list(held)
    if priced_with is not None:
        return priced_with if any(v.version == priced_with for v in versions) else None
    in_force = [v for v in versions if v.in_force_on(date_of_service)]
    if in_force:
        return max(in_force, key=lambda v: (v.effective_from, v.version)).version
    return max((v.version for v in versions), default=None)
