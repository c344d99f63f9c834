"""Medicare hospital outpatient (OPPS) Addendum B: payment by HCPCS code through its APC and
status indicator, and its parser.

Payment: the Addendum B national unadjusted rate (= relative weight x conversion factor); when an
OPPS wage index for the year is loaded, wage-adjusted at a 60% labor share:
rate x (0.6 x wage index + 0.4). By status indicator:
- packaged (N; Q1 with a procedure S, T or V on the claim; Q2 with a procedure T; and every other
  line of a claim with a comprehensive APC J1): $0, paid within another line's APC;
- T: multiple procedure discounting, the highest-paying at 100%, others (and further units) 50%;
- 73 or 52: 50% (not discounted again);
- a status without OPPS payment (A paid under another fee schedule, B, C inpatient only, E1, E2,
  M, ...) or no rate: no OPPS price, with the indicator's meaning.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TextIO

from .schedule_files import FileReport, cell, column, data_rows, is_hcpcs, number

OPPS_CONVERSION_FACTORS = {2025: Decimal("89.169")}
OPPS_LABOR_SHARE = Decimal("0.6")
PACKAGED = "N"
COMPREHENSIVE = "J1"
DISCOUNTED = "T"
NOT_PAID_BY_OPPS = {
    "A": "paid under a fee schedule other than OPPS",
    "B": "not recognised by OPPS on an outpatient bill (another code is)",
    "C": "inpatient only",
    "D": "discontinued code",
    "E1": "not covered by Medicare",
    "E2": "not covered by Medicare (not paid by OPPS)",
    "M": "not billable to the MAC by a hospital",
    "Y": "non-implantable DME, paid under the DMEPOS fee schedule",
    "F": "paid at reasonable cost",
    "L": "paid at reasonable cost (vaccine)",
}


@dataclass(frozen=True, slots=True)
class OppsCode:
    hcpcs: str
    status: str
    apc: str | None
    weight: Decimal | None
    rate: Decimal | None


@dataclass(frozen=True, slots=True)
class OppsRelease:
    """One quarter's Addendum B, in force from `effective_on` until a later quarter's."""

    effective_on: date
    codes: Mapping[str, OppsCode]

    @property
    def label(self) -> str:
        return f"OPPS Addendum B {self.effective_on:%B %Y}"

    @property
    def conversion_factor(self) -> Decimal | None:
        return OPPS_CONVERSION_FACTORS.get(self.effective_on.year)


def parse_addendum_b(stream: TextIO, report: FileReport) -> dict[str, OppsCode]:
    """HCPCS Code, SI, APC, Relative Weight, Payment Rate, ... (after CMS's notice rows)."""
    what = "Addendum B"
    header, rows = data_rows(stream, "HCPCS", what)
    si = column(header, "si", what=what)
    apc = column(header, "apc", what=what)
    weight = column(header, "relative weight", what=what)
    rate = column(header, "payment rate", what=what)
    codes: dict[str, OppsCode] = {}
    for line, row in rows:
        report.read += 1
        code = cell(row, 0)
        if not is_hcpcs(code):
            report.refuse(line, f"{code!r} is not a HCPCS code")
            continue
        status = cell(row, si)
        if not status:
            report.refuse(line, f"{code}: no status indicator")
            continue
        w = number(cell(row, weight), f"{code} relative weight", report, line)
        r = number(cell(row, rate), f"{code} payment rate", report, line)
        if w is False or r is False:
            continue
        codes[code] = OppsCode(code, status, cell(row, apc) or None, w or None, r or None)  # type: ignore[arg-type]
    return codes
