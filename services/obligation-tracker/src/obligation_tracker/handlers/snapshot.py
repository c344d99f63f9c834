"""From a contract.* payload to the domain's ContractVersionSnapshot.

The payload's ``payment_terms`` and ``value_based_terms`` are in the JSON shape of the contract
registry's domain serialisation (read, never imported: services do not import each other):

- each payment term is ``{"name": ..., "escalators": [...], ...}``; an escalator is tagged by
  ``kind``: ``{"kind": "anniversary_escalator", "percent": "3"}`` (every anniversary of the
  contract's effective date) or ``{"kind": "dated_escalator", "percent": "2.5",
  "effective_on": "2025-07-01"}``. Percentages are whole numbers as strings (3 is 3%);
- ``value_based_terms`` is ``{"measures": [{"name", "target", "direction", "weight",
  "period_start", "period_end"}], "shared_savings_percent", "risk_corridor"}``: each distinct
  (period_start, period_end) is a measurement period;
- ``terms.prompt_pay_interest_rate`` is a percent a year (18 is 18%); the domain takes a fraction.

Reporting deliverables and credentialing dates travel in their own optional payload fields
(``reporting_deliverables``, ``credentialing``), which the registry may or may not fill.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from accord_common.events.payloads import ContractVersionData, CredentialingDate

from obligation_tracker.domain import (
    AnniversaryEscalator,
    ContractVersionSnapshot,
    CredentialingEvent,
    DayCount,
    Direction,
    Measure,
    MeasurementPeriod,
    NamedDateEscalator,
    PayerAmendment,
    ReportingDeliverable,
    ValueBasedTerms,
)
from obligation_tracker.ids import as_uuid

ANNIVERSARY_ESCALATOR = "anniversary_escalator"
DATED_ESCALATOR = "dated_escalator"
HUNDRED = Decimal(100)
MEASURE_NAME_LENGTH = 200  # kpi_measures.name


class MalformedTerms(ValueError):
    """A contract payload whose terms do not have the registry's shape (a producer bug)."""


def contract_label(data: ContractVersionData) -> str:
    """How titles name a contract: its name and payer when known, else its id."""
    if data.contract_name and data.payer_name:
        return f"{data.contract_name} ({data.payer_name})"
    return data.contract_name or data.payer_name or f"contract {data.contract_id}"


def snapshot_of(data: ContractVersionData, notified_on: date) -> ContractVersionSnapshot:
    """The version's deadline-bearing terms; ``notified_on`` is when a payer amendment reached us."""
    terms = data.terms
    named, anniversary = escalators_of(data.payment_terms)
    rate = terms.prompt_pay_interest_rate
    return ContractVersionSnapshot(
        contract_id=as_uuid(data.contract_id),
        version_number=data.version,
        contract_name=contract_label(data),
        effective_date=terms.effective_date,
        termination_date=terms.termination_date,
        auto_renew=terms.auto_renew,
        renewal_term_months=terms.renewal_term_months or 12,
        notice_days=terms.notice_days or 0,
        timely_filing_days=terms.timely_filing_days,
        appeal_window_days=terms.appeal_window_days,
        prompt_pay_days=terms.prompt_pay_days,
        prompt_pay_interest_rate_annual=rate / HUNDRED if rate is not None else None,
        named_escalators=named,
        anniversary_escalators=anniversary,
        payer_amendments=_payer_amendments(data, notified_on),
        value_based=value_based_of(data),
        credentialing=credentialing_of(data.credentialing),
    )


def escalators_of(
    payment_terms: Iterable[dict[str, Any]],
) -> tuple[tuple[NamedDateEscalator, ...], tuple[AnniversaryEscalator, ...]]:
    """The escalators of every payment term; the same rise in several terms is one escalator that
    names them all. Unknown escalator kinds are skipped (consumers ignore what they do not know)."""
    dated: dict[tuple[date, Decimal], list[str]] = {}
    anniversary: dict[Decimal, list[str]] = {}
    for index, term in enumerate(payment_terms):
        name = str(term.get("name") or f"payment term {index + 1}")
        for position, escalator in enumerate(term.get("escalators") or []):
            path = f"payment_terms[{index}].escalators[{position}]"
            kind = escalator.get("kind") if isinstance(escalator, dict) else None
            if kind == DATED_ESCALATOR:
                key = (_date(escalator, "effective_on", path), _percent(escalator, path))
                _add_name(dated.setdefault(key, []), name)
            elif kind == ANNIVERSARY_ESCALATOR:
                _add_name(anniversary.setdefault(_percent(escalator, path), []), name)
    return (
        tuple(NamedDateEscalator(on, pct, tuple(names)) for (on, pct), names in dated.items()),
        tuple(AnniversaryEscalator(pct, tuple(names)) for pct, names in anniversary.items()),
    )


def value_based_of(data: ContractVersionData) -> ValueBasedTerms | None:
    """Measurement periods (from the measures' periods) and the reporting deliverables due after
    each; None when the version names neither."""
    terms = data.value_based_terms or {}
    periods: dict[tuple[date, date], MeasurementPeriod] = {}
    for index, measure in enumerate(terms.get("measures") or []):
        path = f"value_based_terms.measures[{index}]"
        start, end = _date(measure, "period_start", path), _date(measure, "period_end", path)
        periods.setdefault((start, end), MeasurementPeriod(f"{start} to {end}", start, end))
    for index, period in enumerate(terms.get("measurement_periods") or []):  # older, explicit shape
        path = f"value_based_terms.measurement_periods[{index}]"
        start, end = _date(period, "start", path), _date(period, "end", path)
        periods.setdefault((start, end), MeasurementPeriod(str(period.get("label") or start), start, end))
    deliverables = [
        ReportingDeliverable(d.name, d.days_after_period_end, DayCount(d.day_count))
        for d in data.reporting_deliverables
    ]
    deliverables += [
        ReportingDeliverable(
            str(d["name"]), int(d["days_after_period_end"]), DayCount(d.get("day_count", "calendar"))
        )
        for d in terms.get("deliverables") or []
    ]
    if not periods and not deliverables:
        return None
    ordered = tuple(sorted(periods.values(), key=lambda p: (p.end, p.start)))
    return ValueBasedTerms(ordered, tuple(dict.fromkeys(deliverables)))


def measures_of(data: ContractVersionData) -> tuple[Measure, ...]:
    """The quality measures of the version's value-based terms, as KPI measures (none without)."""
    terms = data.value_based_terms or {}
    measures = []
    for index, measure in enumerate(terms.get("measures") or []):
        path = f"value_based_terms.measures[{index}]"
        name = str(measure.get("name") or "").strip()
        if not 0 < len(name) <= MEASURE_NAME_LENGTH:
            raise MalformedTerms(f"{path}.name: expected 1 to {MEASURE_NAME_LENGTH} characters, got {name!r}")
        measures.append(
            Measure(
                name=name,
                direction=_direction(measure, path),
                target=_number(measure, "target", path),
                weight=_number(measure, "weight", path, default=Decimal(1)),
                period_start=_date(measure, "period_start", path),
                period_end=_date(measure, "period_end", path),
            )
        )
    return tuple(measures)


def credentialing_of(dates: Iterable[CredentialingDate]) -> tuple[CredentialingEvent, ...]:
    """One event per credentialing date; its label ("recredentialing, NPI 1234567893") is its key,
    so two dates of one kind and provider are told apart by their due dates."""
    entries = list(dict.fromkeys((_credentialing_label(d), d.due_date) for d in dates))
    labels = [label for label, _ in entries]
    return tuple(
        CredentialingEvent(label if labels.count(label) == 1 else f"{label} due {due}", due)
        for label, due in entries
    )


def _credentialing_label(entry: CredentialingDate) -> str:
    label = entry.kind.strip().replace("_", " ")
    return f"{label}, NPI {entry.provider_npi}" if entry.provider_npi else label


def _payer_amendments(data: ContractVersionData, notified_on: date) -> tuple[PayerAmendment, ...]:
    if not (data.payer_initiated and data.objection_window_days):
        return ()
    return (PayerAmendment(f"version {data.version}", notified_on, data.objection_window_days),)


def _add_name(names: list[str], name: str) -> None:
    if name not in names:
        names.append(name)


def _date(item: dict[str, Any], field: str, path: str) -> date:
    try:
        return date.fromisoformat(str(item[field]))
    except (KeyError, TypeError, ValueError):
        raise MalformedTerms(f"{path}.{field}: expected an ISO date, got {item.get(field)!r}") from None


def _direction(item: dict[str, Any], path: str) -> Direction:
    try:
        return Direction(str(item.get("direction")))
    except ValueError:
        expected = " or ".join(d.value for d in Direction)
        raise MalformedTerms(
            f"{path}.direction: expected {expected}, got {item.get('direction')!r}"
        ) from None


def _number(item: dict[str, Any], field: str, path: str, default: Decimal | None = None) -> Decimal:
    value = item.get(field)
    if value is None and default is not None:
        return default
    try:
        if isinstance(value, str | int) and not isinstance(value, bool):
            number = Decimal(value)
            if number.is_finite():
                return number
    except InvalidOperation:
        pass
    raise MalformedTerms(f"{path}.{field}: expected a number as a string, got {value!r}")


def _percent(item: dict[str, Any], path: str) -> Decimal:
    value = item.get("percent")
    try:
        if isinstance(value, str | int) and not isinstance(value, bool):
            return Decimal(value)
    except InvalidOperation:
        pass
    raise MalformedTerms(f"{path}.percent: expected a number as a string, got {value!r}")
