"""A lean validator for the common claim shape, used by the batch endpoint before Pydantic.

`lean_submissions` reads the already-decoded JSON of a batch and returns each claim as the
submission `ClaimIn.model_dump()` would make (its header, its `claim_lines` rows and its domain
claim, built in one pass), or None as soon as anything is outside the plain shape it knows
(unknown keys, floats, unusual date or number spellings, any value `ClaimIn` would refuse). On
None the caller validates the body with `ClaimBatchIn`, which accepts what this path declined or
answers the usual field errors. The lean path is only ever stricter than `ClaimIn`, never laxer;
tests/unit/service/test_engine_claims_lean.py checks it agrees with `ClaimIn`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from reimbursement_engine.adapters.claims_mapping import ClaimSubmission, submission_from_rows
from reimbursement_engine.entrypoints.schemas_claims import _CODE_FORMATS, ClaimIn, ClaimLineIn

T = TypeVar("T")


class _Declined(Exception):
    """The value is outside the lean path; the full validator decides."""


# claims naming their plan, claim type or service facility take the full validator
_CLAIM_KEYS = frozenset(ClaimIn.model_fields) - {
    "service_facility",
    "claim_type",
    "line_of_business",
    "plan_id",
}
_LINE_KEYS = frozenset(ClaimLineIn.model_fields)
_PROVIDER_KEYS = frozenset({"npi", "tin"})
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_MONEY = re.compile(r"[0-9]{1,9}(?:\.[0-9]{1,2})?")  # within accord_common.amounts.MAX_AMOUNT
_UNITS = re.compile(r"[0-9]{1,6}(?:\.[0-9]{1,3})?")
_MODIFIER = re.compile(r"[A-Z0-9]{2}")
_CODES = {system: pattern for system, (pattern, _) in _CODE_FORMATS.items()}
_TWO_DIGITS = re.compile(r"[0-9]{2}")
_HEADER_PATTERNS = {
    "place_of_service": _TWO_DIGITS,
    "type_of_bill": re.compile(r"[0-9]{3,4}"),
    "frequency_code": re.compile(r"[178]"),
    "drg": re.compile(r"[0-9]{3}"),
    "medicare_locality": re.compile(r"[0-9]{5}[- ]?[0-9]{1,2}"),
    "beneficiary_zip": re.compile(r"[0-9]{5}(?:-?[0-9]{4})?"),
}
_HEADER_DATES = ("service_from", "service_to", "received_date", "admission_date", "discharge_date")
_NPI, _TIN, _REVENUE = re.compile(r"[0-9]{10}"), re.compile(r"[0-9]{2}-?[0-9]{7}"), re.compile(r"0[0-9]{3}")


def _date(value: Any) -> date:
    if type(value) is not str or not _DATE.fullmatch(value):
        raise _Declined
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _Declined from None


def _money(value: Any) -> Decimal:
    if type(value) is str and _MONEY.fullmatch(value):
        return Decimal(value)
    if type(value) is int and 0 <= value < 10**9:
        return Decimal(value)
    raise _Declined


def _units(value: Any) -> Decimal:
    if type(value) is int and 0 < value <= 100000:
        return Decimal(value)
    if type(value) is str and _UNITS.fullmatch(value):
        units = Decimal(value)
        if 0 < units <= 100000:
            return units
    raise _Declined


def _printable(value: str) -> str:
    if not (value.isascii() and value.isprintable()):
        raise _Declined
    return value


def _text(value: Any, low: int, high: int) -> str:
    if type(value) is not str or not low <= len(value) <= high:
        raise _Declined
    return value


def _optional(value: Any, check: Callable[[Any], Any]) -> Any:
    return None if value is None else check(value)


def _matching(pattern: re.Pattern[str]) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if type(value) is not str or not pattern.fullmatch(value):
            raise _Declined
        return value

    return check


_CHECK_NPI, _CHECK_TIN, _CHECK_REVENUE = _matching(_NPI), _matching(_TIN), _matching(_REVENUE)
_CHECK_POS = _matching(_TWO_DIGITS)
_HEADER_CHECKS = {name: _matching(pattern) for name, pattern in _HEADER_PATTERNS.items()}


def _modifiers(value: Any) -> list[str]:
    if type(value) is not list or len(value) > 4:
        raise _Declined
    for modifier in value:
        if type(modifier) is not str or not _MODIFIER.fullmatch(modifier):
            raise _Declined
    return list(value)


def _remembered(memo: dict[Any, T], value: Any, read: Callable[[Any], T]) -> T:
    known = memo.get(value)
    if known is None:
        known = memo[value] = read(value)
    return known


class _Values:
    """Per-batch memo of values already read: a batch repeats the same dates of service, charges,
    units and codes thousands of times, and each is checked and converted once. Dates and
    Decimals are immutable, so lines may share them."""

    def __init__(self) -> None:
        self.dates: dict[str, date] = {}
        self.money: dict[str, Decimal] = {}
        self.units: dict[Any, Decimal] = {}
        self.codes: set[tuple[str, str]] = set()

    def date(self, value: Any) -> date:
        if type(value) is not str:
            raise _Declined
        return _remembered(self.dates, value, _date)

    def charge(self, value: Any) -> Decimal:
        return _remembered(self.money, value, _money) if type(value) is str else _money(value)

    def unit_count(self, value: Any) -> Decimal:
        if type(value) is not str and type(value) is not int:
            raise _Declined
        return _remembered(self.units, value, _units)

    def code(self, system: Any, code: Any) -> None:
        if type(system) is not str or type(code) is not str:
            raise _Declined
        if (system, code) not in self.codes:
            pattern = _CODES.get(system)
            if pattern is None or not pattern.fullmatch(code):
                raise _Declined
            self.codes.add((system, code))


_ONE = Decimal(1)


def _row(number: int, raw: Any, values: _Values) -> dict[str, Any]:
    """A line as its `claim_lines` row (what `claims_mapping.line_row` makes of ClaimIn's)."""
    if type(raw) is not dict or not raw.keys() <= _LINE_KEYS:
        raise _Declined
    system, code = raw.get("code_system"), raw.get("code")
    values.code(system, code)
    invoice_cost = raw.get("invoice_cost")
    return {
        "line_number": number,
        "code_system": system,
        "code": code,
        "modifiers": ":".join(_modifiers(raw["modifiers"])) if "modifiers" in raw else "",
        "units": values.unit_count(raw["units"]) if "units" in raw else _ONE,
        "charge": values.charge(raw.get("charge")),
        "revenue_code": _optional(raw.get("revenue_code"), _CHECK_REVENUE),
        "service_date": values.date(raw.get("service_date")),
        "place_of_service": _optional(raw.get("place_of_service"), _CHECK_POS),
        "invoice_cost": None if invoice_cost is None else values.charge(invoice_cost),
    }


def _provider(raw: Any) -> dict[str, Any] | None:
    if raw is None:
        return None
    if type(raw) is not dict or not raw.keys() <= _PROVIDER_KEYS:
        raise _Declined
    return {"npi": _optional(raw.get("npi"), _CHECK_NPI), "tin": _optional(raw.get("tin"), _CHECK_TIN)}


def _claim(raw: Any, values: _Values, today: date) -> ClaimSubmission:
    if type(raw) is not dict or not raw.keys() <= _CLAIM_KEYS:
        raise _Declined
    lines = raw.get("lines")
    if type(lines) is not list or not 1 <= len(lines) <= 999:
        raise _Declined
    claim: dict[str, Any] = {
        "patient_control_number": _printable(_text(raw.get("patient_control_number"), 1, 38)),
        "payer_id": _text(raw.get("payer_id"), 1, 80),
        "contract_id": _optional(raw.get("contract_id"), lambda v: _text(v, 0, 64)),
        "billing_provider": _provider(raw.get("billing_provider")),
    }
    for name in _HEADER_DATES:
        claim[name] = _optional(raw.get(name), _date)
    for name, check in _HEADER_CHECKS.items():
        claim[name] = _optional(raw.get(name), check)
    rows = [_row(number, line, values) for number, line in enumerate(lines, 1)]
    return submission_from_rows(claim, rows, "json", today)


def lean_submissions(body: Any, today: date) -> list[ClaimSubmission] | None:
    """The batch's claims as `submission(ClaimIn.model_dump(), "json", today)` makes them, or None
    (validate with `ClaimBatchIn`)."""
    if type(body) is not dict or body.keys() != {"claims"}:
        return None
    claims = body["claims"]
    if type(claims) is not list or not claims:
        return None
    values = _Values()
    try:
        return [_claim(claim, values, today) for claim in claims]
    except _Declined:
        return None
