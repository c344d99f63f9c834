"""The Medicare schedules beside the physician fee schedule (ASC, OPPS, CLFS, DMEPOS), by release,
and which one prices a line.

Releases are effective-dated: a line is priced by the latest release of its calendar year in force
on its date of service (a later quarter supersedes an earlier one from its effective date).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Protocol, TypeVar

from .asc import AscRelease, WageIndex
from .opps import OppsRelease
from .supplies import ClfsRelease, DmeposRelease


class Basis(StrEnum):
    """Which Medicare schedule a % of Medicare term is a percentage of."""

    PFS = "PFS"
    ASC = "ASC"
    OPPS = "OPPS"
    CLFS = "CLFS"
    DMEPOS = "DMEPOS"

    @property
    def schedule_name(self) -> str:
        return _TITLES[self]


_TITLES = {
    Basis.PFS: "physician fee schedule",
    Basis.ASC: "ASC payment system",
    Basis.OPPS: "hospital outpatient PPS (APC)",
    Basis.CLFS: "clinical laboratory fee schedule",
    Basis.DMEPOS: "DMEPOS fee schedule",
}


class _Dated(Protocol):
    @property
    def effective_on(self) -> date: ...


R = TypeVar("R", bound=_Dated)


def in_force(releases: Sequence[R], on: date) -> R | None:
    """The latest release of `on`'s calendar year effective on or before `on`."""
    best: R | None = None
    for release in releases:
        start = release.effective_on
        if start.year == on.year and start <= on and (best is None or start > best.effective_on):
            best = release
    return best


@dataclass(frozen=True, slots=True)
class MedicareSchedules:
    """Every release loaded of each schedule, and the ASC / OPPS wage indexes by year."""

    asc: tuple[AscRelease, ...] = ()
    opps: tuple[OppsRelease, ...] = ()
    clfs: tuple[ClfsRelease, ...] = ()
    dmepos: tuple[DmeposRelease, ...] = ()
    wage_indexes: Mapping[tuple[str, int], WageIndex] = field(default_factory=dict)

    def wage_index(self, schedule: Basis, year: int) -> WageIndex | None:
        return self.wage_indexes.get((schedule.value, year))


NO_SCHEDULES = MedicareSchedules()


def type_of_bill_class(type_of_bill: str | None) -> str | None:
    """Facility type + bill classification: TOB 0131 / 131 -> "13"."""
    if not type_of_bill or len(type_of_bill) not in (3, 4):
        return None
    digits = type_of_bill[1:] if len(type_of_bill) == 4 else type_of_bill
    return digits[:2]


def basis_by_setting(
    schedules: MedicareSchedules,
    code: str,
    on: date,
    type_of_bill: str | None,
    place_of_service: str | None,
    facility_claim: bool,
) -> tuple[Basis, str]:
    """The schedule a term that names none means, from how the line was billed (with why)."""
    bill = type_of_bill_class(type_of_bill)
    if bill == "13":
        return Basis.OPPS, f"type of bill {type_of_bill} (hospital outpatient)"
    if bill == "83":
        return Basis.ASC, f"type of bill {type_of_bill} (ambulatory surgery center)"
    if facility_claim and place_of_service == "24":
        return Basis.ASC, "place of service 24 on a facility claim"
    clfs = in_force(schedules.clfs, on)
    if clfs is not None and clfs.rate(code, ()) is not None:
        return Basis.CLFS, f"{code} is a laboratory code ({clfs.label})"
    dme = in_force(schedules.dmepos, on)
    if dme is not None and code in dme.codes:
        return Basis.DMEPOS, f"{code} is a DMEPOS code ({dme.label})"
    return Basis.PFS, "professional service"


def releases_by_year(releases: Sequence[R]) -> Mapping[int, tuple[R, ...]]:
    years: dict[int, list[R]] = {}
    for release in releases:
        years.setdefault(release.effective_on.year, []).append(release)
    return {year: tuple(found) for year, found in years.items()}
