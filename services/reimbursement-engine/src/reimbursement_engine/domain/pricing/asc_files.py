"""Parsers of the CMS ASC addenda (AA, BB, EE, FF) and the ASC wage index file, as CMS publishes
them (title rows, `$1,579.16` amounts, notes at the end)."""

from __future__ import annotations

import csv
from collections import defaultdict
from decimal import Decimal, InvalidOperation
from typing import TextIO

from .asc import AscCode, DeviceOffset, WageIndex
from .schedule_files import FileReport, cell, column, data_rows, is_hcpcs, number, percent


def parse_asc_codes(stream: TextIO, addendum: str, report: FileReport) -> dict[str, AscCode]:
    """Addendum AA (with the multiple procedure discounting flag) or BB."""
    what = f"Addendum {addendum}"
    header, rows = data_rows(stream, "HCPCS", what)
    indicator = column(header, "payment indicator", what=what)
    weight = column(header, "payment weight", what=what)
    rate = column(header, "payment rate", what=what)
    discount = column(header, "multiple procedure", what=what) if addendum == "AA" else None
    codes: dict[str, AscCode] = {}
    for line, row in rows:
        report.read += 1
        code = cell(row, 0)
        if not is_hcpcs(code):
            report.refuse(line, f"{code!r} is not a HCPCS code")
            continue
        pi = cell(row, indicator)
        if not pi:
            report.refuse(line, f"{code}: no payment indicator")
            continue
        w = number(cell(row, weight), f"{code} payment weight", report, line)
        r = number(cell(row, rate), f"{code} payment rate", report, line)
        if w is False or r is False:
            continue
        flag = discount is not None and cell(row, discount).upper() == "Y"
        codes[code] = AscCode(code, addendum, pi, w or None, r, flag)  # type: ignore[arg-type]
    return codes


def parse_asc_excluded(stream: TextIO, report: FileReport) -> frozenset[str]:
    """Addendum EE: one HCPCS code a row."""
    _, rows = data_rows(stream, "HCPCS", "Addendum EE")
    excluded = set()
    for line, row in rows:
        report.read += 1
        code = cell(row, 0)
        if not is_hcpcs(code):
            report.refuse(line, f"{code!r} is not a HCPCS code")
            continue
        excluded.add(code)
    return frozenset(excluded)


def parse_device_offsets(stream: TextIO, report: FileReport) -> dict[str, DeviceOffset]:
    """Addendum FF: the ASC device offset percentage and amount (the last two such columns; the
    first is the OPPS APC's)."""
    what = "Addendum FF"
    header, rows = data_rows(stream, "HCPCS", what)
    share = column(header, "device offset percentage", what=what, last=True)
    amount = column(header, "device offset amount", what=what)
    offsets: dict[str, DeviceOffset] = {}
    for line, row in rows:
        report.read += 1
        code = cell(row, 0)
        if not is_hcpcs(code):
            report.refuse(line, f"{code!r} is not a HCPCS code")
            continue
        value = number(cell(row, amount), f"{code} device offset amount", report, line)
        if value is False:
            continue
        try:
            pct = percent(cell(row, share))
        except InvalidOperation:
            report.refuse(line, f"{code}: device offset percentage {cell(row, share)!r} is not a percentage")
            continue
        if value is not None and pct is not None:
            offsets[code] = DeviceOffset(pct, value)  # type: ignore[arg-type]
    return offsets


def parse_wage_index(stream: TextIO, year: int, schedule: str, report: FileReport) -> WageIndex:
    """CBSA, CBSA name, index (tab- or comma-separated, one header row). A CBSA listed twice with
    different values is kept as ambiguous, never guessed."""
    text = stream.read()
    dialect = "excel-tab" if "\t" in text.partition("\n")[0] else "excel"
    found: defaultdict[str, list[Decimal]] = defaultdict(list)
    lines: defaultdict[str, list[int]] = defaultdict(list)
    for line, row in enumerate(csv.reader(text.splitlines(), dialect=dialect), start=1):
        first = cell(row, 0)
        if line == 1 or not first:
            continue
        report.read += 1
        if not first.isdigit():
            report.refuse(line, f"CBSA {first!r} is not a number")
            continue
        try:
            found[first].append(Decimal(cell(row, len(row) - 1)))
            lines[first].append(line)
        except InvalidOperation:
            report.refuse(line, f"CBSA {first}: wage index {cell(row, len(row) - 1)!r} is not a number")
    if not found:
        report.refuse(0, "no CBSA rows")
    values = {cbsa: v[0] for cbsa, v in found.items() if len(set(v)) == 1}
    ambiguous = {cbsa: tuple(v) for cbsa, v in found.items() if len(set(v)) > 1}
    for cbsa, listed in ambiguous.items():
        for line in lines[cbsa]:
            text = ", ".join(str(v) for v in listed)
            report.refuse(line, f"CBSA {cbsa} is listed {len(listed)} times with different values ({text})")
    return WageIndex(year, schedule, values, ambiguous)
