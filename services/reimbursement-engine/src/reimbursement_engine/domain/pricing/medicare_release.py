"""Which quarterly release of the physician fee schedule a load is, and from when it is in force.

CMS publishes the PFS files as RVU<yy>A (January), B (April), C (July) and D (October); a later
release supersedes an earlier one of the same year from its first day (the quarter's start).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_QUARTERS = {"A": 1, "B": 4, "C": 7, "D": 10}
_MONTHS = {"jan": "A", "apr": "B", "jul": "C", "oct": "D"}
_MONTH_NAMES = frozenset({*_MONTHS, "january", "april", "july", "october"})
_RELEASE = re.compile(r"^RVU(\d{2})([ABCD])$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Release:
    name: str  # RVU26C
    effective: date

    def __str__(self) -> str:
        return f"{self.name} (in force from {self.effective.isoformat()})"


def release_named(year: int, text: str) -> Release:
    """RVU26C, or the release's month (jul, July) or quarter (Q3); ValueError names what is wrong."""
    token = text.strip()
    match = _RELEASE.match(token)
    if match is not None:
        if 2000 + int(match.group(1)) != year:
            raise ValueError(f"release {token} is not of CY{year}")
        letter = match.group(2).upper()
    elif token.upper() in {"Q1", "Q2", "Q3", "Q4"}:
        letter = "ABCD"[int(token[1]) - 1]
    elif token[:3].lower() in _MONTHS:
        letter = _MONTHS[token[:3].lower()]
    else:
        raise ValueError(
            f"release {token!r}: give RVU{year % 100:02d}A..D, a quarter (Q1..Q4) or jan/apr/jul/oct"
        )
    return Release(f"RVU{year % 100:02d}{letter}", date(year, _QUARTERS[letter], 1))


def release_in_file_name(year: int, file_name: str) -> Release | None:
    """The release a CMS file name says (pprrvu2025_oct.csv, PPRRVU2026_Jul_nonQPP.csv)."""
    for part in re.split(r"[_.\-\s]", file_name.lower()):
        if part in _MONTH_NAMES:
            return release_named(year, part)
    return None
