"""Mapping of one Transparency in Coverage in_network item to fee schedule rows (or reasons not to).

Each negotiated price becomes one row per place-of-service code it lists:
- negotiated_type negotiated / fee schedule / derived -> amount (case_rate when the arrangement
  is a bundle); percentage -> percent_of_charges (a whole number, 40.5 = 40.5%); per diem ->
  per_diem, paid per day.
- billing_class institutional -> setting facility (the facility's own claim); professional and
  both -> no setting, the row is limited by its place-of-service codes instead. The TiC
  `setting` (inpatient / outpatient) has no column in a fee schedule and is not kept.
- service_code absent or CSTM-00 -> no place of service (the rate applies at every place).
- billing_code_modifier -> modifiers; expiration_date 9999-12-31 -> open-ended, otherwise the
  last day the rate applies.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from .codes import CodeSystem, Setting, code_format_problem, place_of_service_problem
from .errors import InvalidField
from .fee_schedule import BillingUnit, FeeScheduleRow, RateKind

EVERGREEN = date(9999, 12, 31)
ALL_PLACES = "CSTM-00"
_CODE_TYPES = {
    "CPT": CodeSystem.CPT,
    "HCPCS": CodeSystem.HCPCS,
    "RC": CodeSystem.REV,
    "MS-DRG": CodeSystem.MSDRG,
    "APC": CodeSystem.APC,
}
_AMOUNT_TYPES = {"negotiated": 0, "fee schedule": 1, "derived": 2}
"""Amount types by precedence when two prices land on the same row: negotiated wins."""
_SETTINGS = {"institutional": Setting.FACILITY, "professional": None, "both": None}


class Refused(Exception):
    """Why a TiC item or price cannot become fee schedule rows."""


@dataclass(frozen=True, slots=True)
class MappedRow:
    """A row and how sure we are of it: 0 negotiated, 1 fee schedule, 2 derived."""

    row: FeeScheduleRow
    precedence: int
    negotiated_type: str


def code_system_of(item: dict[str, Any]) -> tuple[CodeSystem, str]:
    """The fee schedule code system and code of an item, or Refused with the reason."""
    code_type = str(item.get("billing_code_type", "")).upper()
    code = str(item.get("billing_code", "")).strip().upper()
    system = _CODE_TYPES.get(code_type)
    if system is None:
        supported = ", ".join(_CODE_TYPES)
        raise Refused(f"billing_code_type {code_type or '(none)'} is not supported ({supported} are)")
    if code == ALL_PLACES:
        raise Refused("billing_code CSTM-00 (every code of the type) has no row-by-row rate")
    if system is CodeSystem.REV and code.isdigit() and len(code) == 3:
        code = code.zfill(4)
    if system in (CodeSystem.CPT, CodeSystem.HCPCS):
        # Payers label HCPCS level I codes (CPT) as HCPCS and vice versa; the format decides.
        system = CodeSystem.HCPCS if code[:1].isalpha() else CodeSystem.CPT
    if problem := code_format_problem(system, code):
        raise Refused(problem)
    return system, code


def rows_for_price(
    system: CodeSystem, code: str, bundle: bool, price: dict[str, Any], effective_from: date
) -> list[MappedRow]:
    """The rows one negotiated price maps to, or Refused with the reason."""
    negotiated_type = str(price.get("negotiated_type", "")).lower()
    rate_kind, precedence = _rate_kind(negotiated_type, bundle)
    figure = _figure(price.get("negotiated_rate"))
    effective_to = _expiration(price.get("expiration_date"), effective_from)
    billing_class = str(price.get("billing_class", "")).lower()
    if billing_class not in _SETTINGS:
        raise Refused(f"billing_class {billing_class or '(none)'} is not professional/institutional/both")
    modifiers = tuple(str(m).strip().upper() for m in price.get("billing_code_modifier") or ())
    unit = {RateKind.PER_DIEM: BillingUnit.DAY, RateKind.CASE_RATE: BillingUnit.CASE}.get(
        rate_kind, BillingUnit.UNIT
    )
    mapped = []
    for place in _places_of_service(price.get("service_code")):
        try:
            row = FeeScheduleRow(
                code_system=system,
                code=code,
                rate_kind=rate_kind,
                effective_from=effective_from,
                effective_to=effective_to,
                modifiers=modifiers,
                place_of_service=place,
                setting=_SETTINGS[billing_class],
                unit=unit,
                amount=None if rate_kind.is_percentage else figure,
                percentage=figure if rate_kind.is_percentage else None,
            )
        except InvalidField as invalid:
            raise Refused(str(invalid)) from invalid
        mapped.append(MappedRow(row, precedence, negotiated_type))
    return mapped


def _rate_kind(negotiated_type: str, bundle: bool) -> tuple[RateKind, int]:
    if negotiated_type in _AMOUNT_TYPES:
        kind = RateKind.CASE_RATE if bundle else RateKind.AMOUNT
        return kind, _AMOUNT_TYPES[negotiated_type]
    if negotiated_type == "percentage":
        return RateKind.PERCENT_OF_CHARGES, 0
    if negotiated_type == "per diem":
        return RateKind.PER_DIEM, 0
    raise Refused(f"negotiated_type {negotiated_type or '(none)'} is not one the schema allows")


def _figure(value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise Refused(f"negotiated_rate {value!r} is not a number")
    return Decimal(value)


def _expiration(value: object, effective_from: date) -> date | None:
    try:
        expires = date.fromisoformat(str(value))
    except ValueError:
        raise Refused(f"expiration_date {value!r} is not a YYYY-MM-DD date") from None
    if expires == EVERGREEN:
        return None
    if expires < effective_from:
        raise Refused(
            f"expired on {expires.isoformat()}, before the import's effective date "
            f"{effective_from.isoformat()}"
        )
    return expires


def _places_of_service(service_codes: object) -> list[str | None]:
    if not service_codes or service_codes == [ALL_PLACES]:
        return [None]
    if not isinstance(service_codes, list):
        raise Refused(f"service_code {service_codes!r} is not a list")
    places = [str(code).strip() for code in service_codes]
    if ALL_PLACES in places:
        return [None]
    for place in places:
        if problem := place_of_service_problem(place):
            raise Refused(f"service_code: {problem}")
    return list(dict.fromkeys(places))
