"""Contract-wide modifiers from the registry's payment terms: escalators and floors."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from reimbursement_engine.adapters.terms_mapping import code_system, decimal
from reimbursement_engine.domain.pricing import (
    AnniversaryEscalator,
    CodeSystem,
    EscalatorStep,
    NamedDateEscalator,
)
from reimbursement_engine.domain.pricing.escalators import Escalator

_ANNIVERSARY_HORIZON_YEARS = 40


def escalator(payment_terms_json: list[Mapping[str, Any]], effective: date) -> Escalator | None:
    """The contract's escalators as one pricing escalator (rates rise the same on every term)."""
    anniversary: list[Decimal] = []
    dated: list[EscalatorStep] = []
    for i, term in enumerate(payment_terms_json):
        for j, item in enumerate(term.get("escalators") or []):
            path = f"payment_terms[{i}].escalators[{j}]"
            percent = decimal(item.get("percent"), f"{path}.percent")
            if item.get("kind") == "dated_escalator":
                dated.append(EscalatorStep(date.fromisoformat(item["effective_on"]), percent))
            else:
                anniversary.append(percent)
    anniversary = sorted(set(anniversary))
    if not dated and len(anniversary) == 1:
        return AnniversaryEscalator(effective, anniversary[0])
    if not dated and not anniversary:
        return None
    steps = set(dated)
    for percent in anniversary:
        for years in range(1, _ANNIVERSARY_HORIZON_YEARS + 1):
            on = AnniversaryEscalator(effective, percent)
            steps.update(on.escalation_on(_years_after(effective, years)).steps)
    return NamedDateEscalator(tuple(sorted(steps, key=lambda s: s.effective)))


def _years_after(start: date, years: int) -> date:
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return start.replace(year=start.year + years, day=28)


def floors(payment_terms_json: list[Mapping[str, Any]]) -> dict[tuple[CodeSystem, str], Decimal]:
    out: dict[tuple[CodeSystem, str], Decimal] = {}
    for i, term in enumerate(payment_terms_json):
        for j, item in enumerate(term.get("floors") or []):
            path = f"payment_terms[{i}].floors[{j}]"
            system = code_system(str(item.get("code_system", "")), f"{path}.code_system")
            out[(system, str(item["code"]))] = decimal(item.get("minimum"), f"{path}.minimum")
    return out
