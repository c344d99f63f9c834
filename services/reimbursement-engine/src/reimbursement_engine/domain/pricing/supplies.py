"""Medicare clinical laboratory (CLFS) and DMEPOS / PEN fee schedules: per-code amounts, and their
parsers (CLFS_<year>_Q<n>.csv; DMEPOS<yy>_<MON>.csv and DMEPEN<yy>_<MON>.csv with one non-rural and
one rural column per state)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TextIO

from .schedule_files import FileReport, cell, column, data_rows, number

_STATE_COLUMN = re.compile(r"^([a-z]{2}) ?\((nr|r)\)$")


@dataclass(frozen=True, slots=True)
class ClfsRelease:
    """A quarter's Clinical Laboratory Fee Schedule: rate by (HCPCS, modifier)."""

    effective_on: date
    rates: Mapping[tuple[str, str], Decimal]

    @property
    def label(self) -> str:
        quarter = (self.effective_on.month - 1) // 3 + 1
        return f"CLFS {self.effective_on.year} Q{quarter}"

    def rate(self, hcpcs: str, modifiers: tuple[str, ...]) -> tuple[Decimal, str] | None:
        """The line's rate: a row for one of its modifiers (e.g. QW) first, else the code's."""
        for modifier in (*modifiers, ""):
            found = self.rates.get((hcpcs, modifier))
            if found is not None:
                return found, modifier
        return None


@dataclass(frozen=True, slots=True)
class DmeposAmounts:
    """One DMEPOS row: the fee schedule amount by state, non-rural and rural (0 = none)."""

    by_state: Mapping[str, tuple[Decimal, Decimal]]


@dataclass(frozen=True, slots=True)
class DmeposRelease:
    """A quarter's DMEPOS (and PEN) fee schedule: amounts by (HCPCS, modifier, modifier 2)."""

    effective_on: date
    rows: Mapping[tuple[str, str, str], DmeposAmounts]
    codes: frozenset[str] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "codes", frozenset(code for code, _, _ in self.rows))

    @property
    def label(self) -> str:
        return f"DMEPOS {self.effective_on:%B %Y}"

    def amounts(self, hcpcs: str, modifiers: tuple[str, ...]) -> tuple[DmeposAmounts, str] | None:
        """The row for the line's first two modifiers (e.g. RR, NU), then its first, then none."""
        first, second = (*modifiers, "", "")[:2]
        for key in ((hcpcs, first, second), (hcpcs, first, ""), (hcpcs, "", "")):
            found = self.rows.get(key)
            if found is not None:
                return found, "-".join(m for m in key[1:] if m)
        return None


def parse_clfs(stream: TextIO, report: FileReport) -> dict[tuple[str, str], Decimal]:
    """YEAR, HCPCS, MOD, EFF_DATE, INDICATOR, RATE."""
    what = "CLFS"
    header, rows = data_rows(stream, "YEAR", what)
    code_at, mod_at = column(header, "hcpcs", what=what), column(header, "mod", what=what)
    rate_at = column(header, "rate", what=what)
    rates: dict[tuple[str, str], Decimal] = {}
    for line, row in rows:
        report.read += 1
        code = cell(row, code_at)
        value = number(cell(row, rate_at), f"{code} rate", report, line)
        if value is False:
            continue
        if value is None:
            report.refuse(line, f"{code}: no rate")
            continue
        rates[(code, cell(row, mod_at))] = value  # type: ignore[assignment]
    return rates


def parse_dmepos(stream: TextIO, report: FileReport) -> dict[tuple[str, str, str], DmeposAmounts]:
    """HCPCS, Mod, Mod2, [JURIS, CATG, Ceiling, Floor,] then `AL (NR)`, `AL (R)` ... per state."""
    what = "DMEPOS"
    header, rows = data_rows(stream, "HCPCS", what)
    states: dict[str, dict[str, int]] = {}
    for index, name in enumerate(header):
        match = _STATE_COLUMN.match(name)
        if match:
            states.setdefault(match.group(1).upper(), {})[match.group(2)] = index
    mod2 = column(header, "mod2", what=what)
    found: dict[tuple[str, str, str], DmeposAmounts] = {}
    for line, row in rows:
        report.read += 1
        code = cell(row, 0)
        by_state = _state_amounts(row, states, code, report, line)
        if by_state is not None:
            found[(code, cell(row, 1), cell(row, mod2))] = DmeposAmounts(by_state)
    return found


def _state_amounts(
    row: list[str], states: dict[str, dict[str, int]], code: str, report: FileReport, line: int
) -> dict[str, tuple[Decimal, Decimal]] | None:
    amounts: dict[str, tuple[Decimal, Decimal]] = {}
    for state, where in states.items():
        non_rural = number(_at(row, where, "nr"), f"{code} {state} (NR)", report, line)
        rural = number(_at(row, where, "r"), f"{code} {state} (R)", report, line)
        if isinstance(non_rural, bool) or isinstance(rural, bool):
            return None
        amounts[state] = (non_rural or Decimal(0), rural or Decimal(0))
    return amounts


def _at(row: list[str], where: dict[str, int], kind: str) -> str:
    return cell(row, where[kind]) if kind in where else ""
