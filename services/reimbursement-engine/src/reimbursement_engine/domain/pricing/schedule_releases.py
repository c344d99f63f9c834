"""From the files of a schedule (as CMS publishes them) to its releases: which parts each schedule
has, parsing one part with its report, and building a year's releases from the parts held."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from .asc import AscRelease, WageIndex
from .asc_files import parse_asc_codes, parse_asc_excluded, parse_device_offsets, parse_wage_index
from .opps import OppsRelease, parse_addendum_b
from .schedule_files import FileReport, ScheduleFileError
from .schedules import Basis, MedicareSchedules, releases_by_year
from .supplies import ClfsRelease, DmeposRelease, parse_clfs, parse_dmepos

WAGE_INDEX = "wage_index"
# the parts of each schedule a loader accepts (file names as CMS publishes them, for the CLI)
PARTS: Mapping[Basis, Mapping[str, str]] = {
    Basis.ASC: {
        "AA": "Addendum AA (covered surgical procedures)",
        "BB": "Addendum BB (covered ancillary services)",
        "EE": "Addendum EE (procedures excluded from ASC payment)",
        "FF": "Addendum FF (device offsets)",
        WAGE_INDEX: "ASC wage index by CBSA (the year's)",
    },
    Basis.OPPS: {
        "B": "Addendum B (payment by HCPCS code)",
        WAGE_INDEX: "OPPS wage index by CBSA (the year's)",
    },
    Basis.CLFS: {"CLFS": "Clinical Laboratory Fee Schedule"},
    Basis.DMEPOS: {"DMEPOS": "DMEPOS fee schedule", "PEN": "parenteral and enteral nutrition fee schedule"},
}


@dataclass(frozen=True, slots=True)
class HeldFile:
    """One loaded file of a schedule: its effective date, part and text."""

    effective_on: date
    part: str
    text: str


def parse_part(schedule: Basis, part: str, effective_on: date, text: str) -> tuple[Any, FileReport]:
    """Parse one file; ScheduleFileError when it is not the part it is loaded as."""
    parts = PARTS.get(schedule, {})
    if part not in parts:
        known = ", ".join(parts) or "none"
        raise ScheduleFileError(f"{schedule.value} has no part {part!r} (parts: {known})")
    report = FileReport(part)
    stream = io.StringIO(text)
    if part == WAGE_INDEX:
        parsed: Any = parse_wage_index(stream, effective_on.year, schedule.value, report)
    else:
        parsed = _PARSERS[(schedule, part)](stream, report)
    if report.read == 0:
        raise ScheduleFileError(f"{parts[part]}: no data rows")
    return parsed, report


_PARSERS: dict[tuple[Basis, str], Callable[[io.StringIO, FileReport], Any]] = {
    (Basis.ASC, "AA"): lambda s, r: parse_asc_codes(s, "AA", r),
    (Basis.ASC, "BB"): lambda s, r: parse_asc_codes(s, "BB", r),
    (Basis.ASC, "EE"): parse_asc_excluded,
    (Basis.ASC, "FF"): parse_device_offsets,
    (Basis.OPPS, "B"): parse_addendum_b,
    (Basis.CLFS, "CLFS"): parse_clfs,
    (Basis.DMEPOS, "DMEPOS"): parse_dmepos,
    (Basis.DMEPOS, "PEN"): parse_dmepos,
}


@dataclass(frozen=True, slots=True)
class ScheduleYear:
    """One schedule's releases of one calendar year, with the year's wage index."""

    schedule: Basis
    year: int
    releases: tuple[Any, ...]
    wage_index: WageIndex | None = None


def schedule_year(schedule: Basis, year: int, files: Iterable[HeldFile]) -> ScheduleYear:
    """Build a year's releases from its held files (each effective date with its parts)."""
    by_date: dict[date, dict[str, Any]] = {}
    wage: WageIndex | None = None
    for held in files:
        parsed, _ = parse_part(schedule, held.part, held.effective_on, held.text)
        if held.part == WAGE_INDEX:
            wage = parsed
        else:
            by_date.setdefault(held.effective_on, {})[held.part] = parsed
    releases = tuple(r for on, parts in sorted(by_date.items()) if (r := _release(schedule, on, parts)))
    return ScheduleYear(schedule, year, releases, wage)


def _release(schedule: Basis, on: date, parts: dict[str, Any]) -> Any:
    if schedule is Basis.ASC:
        if "AA" not in parts and "BB" not in parts:
            return None
        codes = {**parts.get("BB", {}), **parts.get("AA", {})}
        return AscRelease(on, codes, parts.get("EE", frozenset()), parts.get("FF", {}))
    if schedule is Basis.OPPS:
        return OppsRelease(on, parts["B"]) if "B" in parts else None
    if schedule is Basis.CLFS:
        return ClfsRelease(on, parts["CLFS"])
    return DmeposRelease(on, {**parts.get("PEN", {}), **parts.get("DMEPOS", {})})


def assemble(years: Iterable[ScheduleYear]) -> MedicareSchedules:
    """Every held year of every schedule as one MedicareSchedules."""
    held = list(years)
    by: dict[Basis, list[Any]] = {basis: [] for basis in Basis}
    wages: dict[tuple[str, int], WageIndex] = {}
    for item in held:
        by[item.schedule].extend(item.releases)
        if item.wage_index is not None:
            wages[(item.schedule.value, item.year)] = item.wage_index
    return MedicareSchedules(
        asc=tuple(by[Basis.ASC]),
        opps=tuple(by[Basis.OPPS]),
        clfs=tuple(by[Basis.CLFS]),
        dmepos=tuple(by[Basis.DMEPOS]),
        wage_indexes=wages,
    )


__all__ = [
    "PARTS",
    "WAGE_INDEX",
    "HeldFile",
    "ScheduleFileError",
    "ScheduleYear",
    "assemble",
    "parse_part",
    "releases_by_year",
    "schedule_year",
]
