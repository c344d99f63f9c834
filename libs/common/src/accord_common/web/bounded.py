"""Amount and date fields whose OpenAPI schema states their bound, so clients refuse what the server does.

`Annotated[Amount, bounded(upper, ...)]` is an amount (accord_common.web.types.Amount: a JSON
whole number or a string of ASCII digits) whose schema admits only the values from 0 (or,
`positive`, above 0) up to `upper` with at most MAX_PLACES decimals: a whole number with
`minimum`/`maximum`, or a string whose `pattern` spells exactly the decimals within the bound
(`decimal_pattern`). The pattern may be stricter than the server about spelling (no leading
zeros: the server reads "007", the document does not offer it), never looser about value: every
string it admits is a value the server accepts. The value check stays where it is (the domain,
naming the field); this states it. `bounded_date` does the same for the calendar dates of whole
years (a contract's 1990 to 2100).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from pydantic import WithJsonSchema

from accord_common.amounts import MAX_PLACES


def _span(low: int, high: int) -> str:
    return str(low) if low == high else f"[{low}-{high}]"


def _repeat(count: int) -> str:
    return "" if count == 0 else f"[0-9]{{{count}}}"


def _whole_below(bound: str) -> list[str]:
    """Regexes for the whole numbers below `bound` written without leading zeros, "0" excluded."""
    length = len(bound)
    shorter = [f"[1-9][0-9]{{0,{length - 2}}}"] if length >= 2 else []
    same = []
    for index, digit in enumerate(bound):
        low = 1 if index == 0 else 0
        if int(digit) - 1 >= low:
            same.append(bound[:index] + _span(low, int(digit) - 1) + _repeat(length - index - 1))
    return shorter + same


def _fraction_at_most(top: str, places: int) -> list[str]:
    """Regexes for 1..places decimals whose value is at most 0.`top` (top without trailing zeros)."""
    if not top:
        return [f"0{{1,{places}}}"]
    below = [
        top[:index] + _span(0, int(digit) - 1) + f"[0-9]{{0,{places - index - 1}}}"
        for index, digit in enumerate(top)
        if digit != "0"
    ]
    prefixes = [top[:index] + f"0{{0,{places - index}}}" for index in range(1, len(top) + 1)]
    return below + prefixes


def _nonzero_fraction(places: int) -> str:
    return "|".join("0" * zeros + "[1-9]" + f"[0-9]{{0,{places - 1 - zeros}}}" for zeros in range(places))


def decimal_pattern(upper: Decimal, *, positive: bool = False, places: int = MAX_PLACES) -> str:
    """A regex for the plain decimals from 0 (`positive`: above 0) to `upper`, at most `places`
    decimals, written without leading zeros: for 100 with 2 places, "0.01" to "99.99" and "100",
    "100.0" or "100.00" (and "0", "0.00" unless `positive`)."""
    whole, _, fraction = f"{upper:f}".partition(".")
    if upper < 1 or len(fraction.rstrip("0")) > places:
        raise ValueError(f"{upper} is not a bound this pattern can spell")
    any_fraction = rf"(\.[0-9]{{1,{places}}})?"
    below = _whole_below(whole)
    alternatives = [f"(?:{'|'.join(below)}){any_fraction}"] if below else []
    alternatives.append(rf"0\.(?:{_nonzero_fraction(places)})" if positive else f"0{any_fraction}")
    top = fraction.rstrip("0")
    alternatives.append(rf"{whole}(\.(?:{'|'.join(_fraction_at_most(top, places))}))?")
    return f"^({'|'.join(alternatives)})$"


def bounded(upper: Decimal, *, positive: bool = False, description: str) -> WithJsonSchema:
    """The schema of an amount from 0 (or above 0) to `upper`: a whole number or a string.

    Annotate an Amount with it: `Annotated[Amount, bounded(Decimal(100), description="...")]`."""
    return WithJsonSchema(
        {
            "anyOf": [
                {"type": "integer", "minimum": 1 if positive else 0, "maximum": int(upper)},
                {"type": "string", "pattern": decimal_pattern(upper, positive=positive)},
            ],
            "description": description,
            "example": "150.00" if upper >= 150 else str(upper),
        }
    )


def _years(first: int, last: int, keep: Callable[[int], bool] = lambda _: True) -> str:
    """A regex for the four-digit years from `first` to `last` that `keep` keeps, by decade."""
    decades: dict[int, list[int]] = {}
    for year in range(first, last + 1):
        if keep(year):
            decades.setdefault(year // 10, []).append(year % 10)
    parts = []
    for decade, digits in decades.items():
        spelled = "".join(map(str, digits))
        ending = "[0-9]" if spelled == "0123456789" else spelled if len(digits) == 1 else f"[{spelled}]"
        parts.append(f"{decade}{ending}")
    return "|".join(parts)


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def date_pattern(first: date, last: date) -> str:
    """A regex for the calendar dates YYYY-MM-DD of the years `first` to `last` (both whole years:
    1 January to 31 December), only days that exist (29 February in leap years only)."""
    if (first.month, first.day, last.month, last.day) != (1, 1, 12, 31):
        raise ValueError("the bounds must be whole years")
    days = "(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])|(?:0[13-9]|1[0-2])-(?:29|30)|(?:0[13578]|1[02])-31"
    years = _years(first.year, last.year)
    leap_years = _years(first.year, last.year, _leap)
    return f"^(?:(?:{years})-(?:{days})|(?:{leap_years})-02-29)$"


def bounded_date(first: date, last: date, *, description: str) -> WithJsonSchema:
    """The schema of a calendar date from `first` to `last` (whole years): a pattern a generated
    client draws from, as well as the `date` format."""
    return WithJsonSchema(
        {
            "type": "string",
            "format": "date",
            "pattern": date_pattern(first, last),
            "description": description,
            "example": f"{max(first.year, min(2026, last.year))}-01-01",
        }
    )
