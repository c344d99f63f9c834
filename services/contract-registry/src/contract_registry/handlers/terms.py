"""Contract terms from a command (the HTTP body or the CLI): decoded and validated by the domain.

Payment terms and value-based terms arrive in the JSON shape version_to_dict produces (methodologies
tagged by "kind"). Numbers may be JSON numbers or strings; strings are exact, and JSON numbers are
read through their shortest decimal spelling, never kept as floats.
"""

from __future__ import annotations

from typing import Any

from contract_registry.domain import (
    ContractTerms,
    CredentialingDate,
    FeeScheduleRef,
    InvalidContractTerms,
    InvalidField,
    MalformedPayload,
    PaymentTerm,
    ReportingDeliverable,
    ValueBasedTerms,
    from_json,
    to_json,
)

SCALAR_TERMS = (
    "effective_date",
    "termination_date",
    "auto_renew",
    "renewal_term_months",
    "notice_days",
    "timely_filing_days",
    "appeal_window_days",
    "prompt_pay_days",
    "prompt_pay_interest_rate",
)


TERM_FIELDS = frozenset(
    {
        *SCALAR_TERMS,
        "payment_terms",
        "value_based_terms",
        "fee_schedule_id",
        "credentialing",
        "reporting_deliverables",
    }
)
"""The fields of a command that state terms (the rest: name, plans, effective_from ...)."""


def terms_from_command(command: dict[str, Any], fee_schedule: FeeScheduleRef | None) -> ContractTerms:
    """Every rule of the domain applies; a refusal names the field (payment_terms[0].StopLoss.percent)."""
    scalars = _exact({name: command.get(name) for name in SCALAR_TERMS if command.get(name) is not None})
    payment_terms = tuple(
        _decode(PaymentTerm, _exact(term), f"payment_terms[{index}]")
        for index, term in enumerate(command.get("payment_terms") or [])
    )
    value_based = command.get("value_based_terms")
    decoded_value_based = (
        _decode(ValueBasedTerms, _exact(value_based), "value_based_terms") if value_based else None
    )
    base = _decode(ContractTerms, scalars, "")
    try:
        return ContractTerms(
            **{name: getattr(base, name) for name in SCALAR_TERMS},
            payment_terms=payment_terms,
            value_based=decoded_value_based,
            fee_schedule=fee_schedule,
            credentialing=_decode_list(CredentialingDate, command, "credentialing"),
            reporting_deliverables=_decode_list(ReportingDeliverable, command, "reporting_deliverables"),
        )
    except InvalidField as refused:
        raise InvalidContractTerms(refused.field, refused.message)


def command_from_terms(terms: ContractTerms) -> dict[str, Any]:
    """The command that would make `terms` again (the fee schedule aside): a patch merges over it."""
    encoded = to_json(terms)
    assert isinstance(encoded, dict)
    return {
        **{name: encoded[name] for name in SCALAR_TERMS},
        "payment_terms": encoded["payment_terms"],
        "value_based_terms": encoded["value_based"],
        "credentialing": encoded["credentialing"],
        "reporting_deliverables": encoded["reporting_deliverables"],
    }


def _decode_list(kind: type[Any], command: dict[str, Any], name: str) -> tuple[Any, ...]:
    items = command.get(name) or []
    return tuple(_decode(kind, _exact(item), f"{name}[{index}]") for index, item in enumerate(items))


def _decode(kind: type[Any], data: Any, field: str) -> Any:
    try:
        return from_json(kind, data, f"$.{field}" if field else "$")
    except InvalidField as refused:
        name = f"{field}.{refused.field}" if field else refused.field
        raise InvalidField(name, refused.message)
    except MalformedPayload as malformed:
        path, _, message = str(malformed).partition(": ")
        raise InvalidField(path.removeprefix("$.").removeprefix("$") or field or "body", message)


def _exact(value: Any) -> Any:
    """JSON floats as Decimal-ready strings (120.5 -> "120.5"); everything else unchanged."""
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dict):
        return {key: _exact(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_exact(item) for item in value]
    return value
