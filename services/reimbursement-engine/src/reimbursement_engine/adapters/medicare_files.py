"""Read a CMS physician fee schedule release folder into a MedicareYear: PPRRVU and GPCI CSVs,
and when present the anesthesia conversion factors and the OPPS caps.

File names as CMS writes them, any case: pprrvu2025_oct.csv or PPRRVU2026_Jul_nonQPP.csv,
gpci2025.csv / GPCI2026.csv, anes<year>.csv, oppscap<year>_<month>.csv.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import ExitStack
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TextIO

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


def read_release(
    year: int,
    release: str | None,
    pprrvu: TextIO,
    gpci: TextIO,
    anesthesia: TextIO | None = None,
    opps_caps: TextIO | None = None,
    names: Mapping[str, str] | None = None,
) -> LoadedRelease:
    """One release of a year from its files' text streams (a folder or an upload): the rows, the
    conversion factor the RVU file states, and a report per file. `release` (RVU26C, jul, Q3) names
    it, else the PPRRVU file name in `names` ("pprrvu", "gpci", "anesthesia", "opps_caps")."""
    names = names or {}
    rvus = read_pprrvu(pprrvu, names.get("pprrvu", "PPRRVU"))
    gpcis, gpci_report = read_gpci(gpci, names.get("gpci", "GPCI"))
    if not gpcis:
        raise MedicareFileError(f"{gpci_report.file} has no locality rows")
    reports = [rvus.report, gpci_report]
    factors: AnesthesiaFactors | None = None
    if anesthesia is not None:
        factors = parse_anesthesia(anesthesia, names.get("anesthesia", "anesthesia"))
        reports += [factors.report] if factors.report else []
    caps = []
    if opps_caps is not None:
        caps = list(parse_opps_caps(opps_caps))
        reports.append(FileReport(names.get("opps_caps", "OPPS caps"), len(caps)))
    which = release_named(year, release) if release else release_in_file_name(year, names.get("pprrvu", ""))
    loaded = replace(
        medicare_year(year, rvus.rows, gpcis, caps, factors),
        release=which.name if which else "",
        effective=which.effective if which else None,
        conversion_factor=rvus.conversion_factor,
    )
    return LoadedRelease(loaded, tuple(reports))


def load_medicare_release(directory: Path, year: int, release: str | None = None) -> LoadedRelease:
    """Load the year's PPRRVU and GPCI files from a CMS release folder, with the anesthesia
    factors and OPPS caps when the folder has them; `release` (RVU26C, jul, Q3) defaults to the
    one the PPRRVU file name says."""
    named = release_named(year, release) if release else None
    rvu_path = _find(directory, f"pprrvu{year}", named)
    gpci_path = _find(directory, f"gpci{year}", named)
    if rvu_path is None or gpci_path is None:
        raise MedicareFileError(f"{directory} lacks the CY{year} PPRRVU or GPCI file")
    paths = {
        "pprrvu": rvu_path,
        "gpci": gpci_path,
        "anesthesia": _find(directory, f"anes{year}", named),
        "opps_caps": _find(directory, f"oppscap{year}", named),
    }
    with ExitStack() as files:
        streams = {
            key: files.enter_context(path.open(newline="", encoding="utf-8-sig", errors="replace"))
            for key, path in paths.items()
            if path is not None
        }
        names = {key: path.name for key, path in paths.items() if path is not None}
        return read_release(
            year,
            release,
            streams["pprrvu"],
            streams["gpci"],
            streams.get("anesthesia"),
            streams.get("opps_caps"),
            names,
        )


def load_medicare_year(directory: Path, year: int, release: str | None = None) -> MedicareYear:
    return load_medicare_release(directory, year, release).year
