"""DTP date/time segments of an 837, in every format the 5010 TR3s use.

D8 (CCYYMMDD), RD8 (CCYYMMDD-CCYYMMDD), DT (CCYYMMDDHHMM, e.g. the 837I admission date and hour)
and TM (HHMM, e.g. the 837I discharge hour `DTP*096*TM*0900`).
"""

from __future__ import annotations

from datetime import date

from .elements import ccyymmdd, fail, text
from .tokenizer import Segment

DATE_FORMATS = ("D8", "RD8", "DT", "TM")


def date_range(dtp: Segment) -> tuple[date, date] | None:
    """DTP03 as (start, end) by its DTP02 format; None for a time of day (TM), which has no date."""
    value, date_format = text(dtp, 3), text(dtp, 2)
    if date_format == "D8":
        day = ccyymmdd(dtp, 3, value)
        return day, day
    if date_format == "RD8":
        return _period(dtp, value)
    if date_format == "DT" and len(value) == 12:
        _hour_and_minute(dtp, value[8:])
        day = ccyymmdd(dtp, 3, value[:8])
        return day, day
    if date_format == "TM" and len(value) == 4:
        _hour_and_minute(dtp, value)
        return None
    rule = "DTP02 is D8, RD8, DT or TM, with DTP03 in that format"
    raise fail(dtp, rule, f"DTP02 {date_format!r} with DTP03 {value[:20]!r}")


def _period(dtp: Segment, value: str) -> tuple[date, date]:
    start_text, dash, end_text = value.partition("-")
    if not dash:
        raise fail(dtp, "RD8 is CCYYMMDD-CCYYMMDD", f"DTP03 is {value[:20]!r}")
    start, end = ccyymmdd(dtp, 3, start_text), ccyymmdd(dtp, 3, end_text)
    if end < start:
        raise fail(dtp, "RD8 period ends on or after its start", f"DTP03 {value} ends before it starts")
    return start, end


def _hour_and_minute(dtp: Segment, hhmm: str) -> None:
    if not (hhmm.isascii() and hhmm.isdigit() and int(hhmm[:2]) < 24 and int(hhmm[2:]) < 60):
        raise fail(dtp, "DTP03 time is HHMM (0000-2359)", f"DTP03 time is {hhmm!r}")
