"""From a contract.* payload to the domain's ContractVersionSnapshot."""

from __future__ import annotations

from datetime import date
from typing import Any

from accord_common.events.payloads import ContractVersionData

from obligation_tracker.domain import (
    ContractVersionSnapshot,
    DayCount,
    MeasurementPeriod,
    PayerAmendment,
    ReportingDeliverable,
    ValueBasedTerms,
)
from obligation_tracker.ids import as_uuid


def contract_label(data: ContractVersionData) -> str:
    """How titles name a contract: its name and payer when known, else its id."""
    if data.contract_name and data.payer_name:
        return f"{data.contract_name} ({data.payer_name})"
    return data.contract_name or data.payer_name or f"contract {data.contract_id}"


def snapshot_of(data: ContractVersionData, notified_on: date) -> ContractVersionSnapshot:
    """The version's deadline-bearing terms; ``notified_on`` is when a payer amendment reached us."""
    terms = data.terms
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
        prompt_pay_interest_rate_annual=terms.prompt_pay_interest_rate,
        payer_amendments=_payer_amendments(data, notified_on),
        value_based=_value_based(data.value_based_terms),
    )


def _payer_amendments(data: ContractVersionData, notified_on: date) -> tuple[PayerAmendment, ...]:
    if not (data.payer_initiated and data.objection_window_days):
        return ()
    return (PayerAmendment(f"version {data.version}", notified_on, data.objection_window_days),)


def _value_based(terms: dict[str, Any] | None) -> ValueBasedTerms | None:
    """Measurement periods and reporting deliverables, when the version names them."""
    if not terms:
        return None
    periods = tuple(
        MeasurementPeriod(
            str(p["label"]), date.fromisoformat(str(p["start"])), date.fromisoformat(str(p["end"]))
        )
        for p in terms.get("measurement_periods", [])
    )
    deliverables = tuple(
        ReportingDeliverable(
            str(d["name"]), int(d["days_after_period_end"]), DayCount(d.get("day_count", "calendar"))
        )
        for d in terms.get("deliverables", [])
    )
    return ValueBasedTerms(periods, deliverables)
