"""A notice: one event worded for a person, ready for a template; and how payers and contracts are named.

Payloads carry ids, not names; the handler may add `payer_name` and `contract_name` from its
projection of contract events, and the labels fall back to the ids when it does not.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .formatting import text_of

Payload = Mapping[str, object]


@dataclass(frozen=True)
class Notice:
    """One event, ready for a template: `template` names the pair of files that render it."""

    event_type: str
    template: str
    subject: str
    summary: str  # one line, as the digest lists it
    link: str
    context: Mapping[str, object]


def payer_label(data: Payload) -> str:
    if data.get("payer_name"):
        return text_of(data, "payer_name")
    return f"payer {text_of(data, 'payer_id')}" if data.get("payer_id") else "the payer"


def contract_label(data: Payload) -> str:
    if data.get("contract_name"):
        return f"the {text_of(data, 'contract_name')} contract"
    return f"contract {text_of(data, 'contract_id')}" if data.get("contract_id") else "the contract"
