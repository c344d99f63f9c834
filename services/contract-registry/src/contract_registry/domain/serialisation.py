"""Contract versions as JSON-safe dictionaries, for storage and event payloads.

The layout follows the `contract.*` event payload (accord_common ContractVersionData): the
scalar terms under "terms", and "payment_terms", "value_based_terms", "fee_schedule",
"credentialing", "reporting_deliverables" beside them (versions stored before the last two
existed read back without them). The caller adds contract_id, organization_id, payer_id and status.
"""

from __future__ import annotations

from typing import Any

from .errors import MalformedPayload
from .json_codec import from_json, to_json
from .versions import ContractVersion

_TERMS_OUTSIDE = {
    "payment_terms": "payment_terms",
    "value_based": "value_based_terms",
    "fee_schedule": "fee_schedule",
    "credentialing": "credentialing",
    "reporting_deliverables": "reporting_deliverables",
}


def version_to_dict(version: ContractVersion) -> dict[str, Any]:
    """The version as JSON-safe data: Decimal as string, dates ISO, None kept."""
    terms = to_json(version.terms)
    assert isinstance(terms, dict)
    outside = {key: terms.pop(name) for name, key in _TERMS_OUTSIDE.items()}
    return {
        "version": version.number,
        "effective_from": version.effective_from.isoformat(),
        "effective_to": version.effective_to.isoformat() if version.effective_to else None,
        "retroactive": version.retroactive,
        "payer_initiated": version.payer_initiated,
        "objection_window_days": version.objection_window_days,
        "terms": terms,
        **outside,
    }


def version_from_dict(data: dict[str, Any]) -> ContractVersion:
    """Read a version back; every rule the domain enforces is checked again."""
    if not isinstance(data, dict) or not isinstance(data.get("terms"), dict):
        raise MalformedPayload("$.terms: expected an object")
    terms = dict(data["terms"])
    for name, key in _TERMS_OUTSIDE.items():
        if key in data:
            terms[name] = data[key]
    shaped = {name: value for name, value in data.items() if name not in _TERMS_OUTSIDE.values()}
    if "version" in shaped:
        shaped["number"] = shaped.pop("version")
    decoded = from_json(ContractVersion, {**shaped, "terms": terms})
    assert isinstance(decoded, ContractVersion)
    return decoded
