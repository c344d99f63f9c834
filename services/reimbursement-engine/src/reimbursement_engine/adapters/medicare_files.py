"""Read a CMS physician fee schedule release folder into a MedicareYear: PPRRVU and GPCI CSVs,
and when present the anesthesia conversion factors and the OPPS caps.

File names as CMS writes them, any case: pprrvu2025_oct.csv or PPRRVU2026_Jul_nonQPP.csv,
gpci2025.csv / GPCI2026.csv, anes<year>.csv, oppscap<year>_<month>.csv.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from reimbursement_engine.domain.pricing.medicare import MedicareYear
from reimbursement_engine.domain.pricing.medicare_files import (
    AnesthesiaFactors,
    FileReport,
    MedicareFileError,
    medicare_year,
    parse_anesthesia,
    parse_opps_caps,
    read_gpci,
    read_pprrvu,
)
from reimbursement_engine.domain.pricing.medicare_release import Release, release_in_file_name, release_named


@dataclass(frozen=True, slots=True)
class LoadedRelease:
    """A release read from its files, with a report per file."""

    year: MedicareYear
    reports: tuple[FileReport, ...]


def _find(directory: Path, prefix: str, release: Release | None) -> Path | None:
    """The folder's file for `prefix` (case-insensitive); with several, the release's month."""
    found = sorted(
        p for p in directory.iterdir() if p.name.lower().startswith(prefix) and p.suffix.lower() == ".csv"
    )
    if len(found) > 1 and release is not None:
        found = [p for p in found if release_in_file_name(release.effective.year, p.name) == release] or found
    if len(found) > 1:
        names = ", ".join(p.name for p in found)
        raise MedicareFileError(f"{directory} has several {prefix}* files ({names}): name the release")
    return found[0] if found else None


def _release(year: int, rvu_path: Path, named: str | None) -> Release | None:
    if named:
        return release_named(year, named)
    return release_in_file_name(year, rvu_path.name)


def load_medicare_release(directory: Path, year: int, release: str | None = None) -> LoadedRelease:
    """Load the year's PPRRVU and GPCI files from a CMS release folder, with the anesthesia
    factors and OPPS caps when the folder has them; `release` (RVU26C, jul, Q3) defaults to the
    one the PPRRVU file name says."""
    named = release_named(year, release) if release else None
    rvu_path = _find(directory, f"pprrvu{year}", named)
    gpci_path = _find(directory, f"gpci{year}", named)
    if rvu_path is None or gpci_path is None:
        raise MedicareFileError(f"{directory} lacks the CY{year} PPRRVU or GPCI file")
    with rvu_path.open(newline="", encoding="utf-8-sig", errors="replace") as rvu_file:
        rvus = read_pprrvu(rvu_file, rvu_path.name)
    with gpci_path.open(newline="", encoding="utf-8-sig", errors="replace") as gpci_file:
        gpcis, gpci_report = read_gpci(gpci_file, gpci_path.name)
    if not gpcis:
        raise MedicareFileError(f"{gpci_path} has no locality rows")
    reports = [rvus.report, gpci_report]
    anesthesia: AnesthesiaFactors | None = None
    if (anes_path := _find(directory, f"anes{year}", named)) is not None:
        with anes_path.open(newline="", encoding="utf-8-sig", errors="replace") as anes_file:
            anesthesia = parse_anesthesia(anes_file, anes_path.name)
        reports += [anesthesia.report] if anesthesia.report else []
    caps = []
    if (caps_path := _find(directory, f"oppscap{year}", named)) is not None:
        with caps_path.open(newline="", encoding="utf-8-sig") as caps_file:
            caps = list(parse_opps_caps(caps_file))
        reports.append(FileReport(caps_path.name, len(caps)))
    which = _release(year, rvu_path, release)
    loaded = replace(
        medicare_year(year, rvus.rows, gpcis, caps, anesthesia),
        release=which.name if which else "",
        effective=which.effective if which else None,
        conversion_factor=rvus.conversion_factor,
    )
    return LoadedRelease(loaded, tuple(reports))


def load_medicare_year(directory: Path, year: int, release: str | None = None) -> MedicareYear:
    return load_medicare_release(directory, year, release).year
