"""What each kind of event says to a person: subject, the facts, what to do and by when.

Presenters read the payloads of libs/common's event catalogue by field name and nothing else,
so a patient's name or any other PHI a payload might carry never reaches a mail: claims are
named by their patient control number (the number billing staff know them by; Accord's claim id
only when the payload has none). Payers are named by name: obligation payloads carry it, and the
handler adds `payer_name` and `contract_name` from its projection of contract events; a presenter
falls back to the ids when neither does.
"""

from __future__ import annotations

from collections.abc import Callable

from .contract_notices import CONTRACT_PRESENTERS
from .formatting import RecordLinks, humanise, long_date, money, text_of
from .notices import Notice, Payload, contract_label, payer_label

__all__ = ["Notice", "Payload", "contract_label", "payer_label", "present"]

# What to do, by the obligation tracker's obligation kinds.
OBLIGATION_ACTIONS = {
    "renewal_notice": "send the payer the written notice the renewal clause asks for, and keep "
    "proof of delivery",
    "renewal": "decide whether to let the contract renew as it stands or to renegotiate",
    "expiry": "renew or renegotiate before the contract lapses, or plan for going out of network",
    "escalator": "check that the payer has loaded the escalated rates, and raise it if not",
    "objection_window": "review the payer's proposed change and send any objection in writing",
    "vbc_report": "gather the figures and send the report the contract asks for",
    "measurement_period_end": "check the quality and cost measures before the period closes",
    "credentialing": "send the payer the recredentialing paperwork",
    "timely_filing": "get the claim to the payer before the filing limit",
    "prompt_pay": "chase the payer: the prompt-pay deadline has come, with interest owed after it",
    "appeal": "file the appeal with the payer, with the remittance and the contracted rate",
}
DEFAULT_ACTION = "do what the contract asks for here"


def claim_label(data: Payload) -> str:
    """The claim as staff know it: its patient control number, else Accord's claim id ("" if neither)."""
    if data.get("patient_control_number"):
        return text_of(data, "patient_control_number")
    return text_of(data, "claim_id", "")


def obligation_context(data: Payload, links: RecordLinks) -> dict[str, str]:
    kind = text_of(data, "kind", "obligation")
    return {
        "title": text_of(data, "title", humanise(kind).capitalize()),
        "kind": humanise(kind),
        "due": long_date(data.get("due_date")),
        "lead_days": text_of(data, "lead_days", ""),
        "contract": contract_label(data),
        "contract_ref": text_of(data, "contract_name", text_of(data, "contract_id")),
        "payer": payer_label(data),
        "action": OBLIGATION_ACTIONS.get(kind, DEFAULT_ACTION),
        "claim": claim_label(data),
        "link": links.obligation(data.get("obligation_id")),
    }


def _obligation(event_type: str, subject_prefix: str) -> Callable[[Payload, RecordLinks], Notice]:
    def present(data: Payload, links: RecordLinks) -> Notice:
        facts = obligation_context(data, links)
        headline = f"{facts['title']} ({facts['payer']}, due {facts['due']})"
        return Notice(
            event_type=event_type,
            template=event_type.replace(".", "_"),
            subject=f"{subject_prefix}: {headline}",
            summary=headline,
            link=facts["link"],
            context=facts,
        )

    return present


VARIANCE_ACTIONS = {
    "underpaid": "check the adjustment reason codes on the remittance; if the payer applied the "
    "wrong rate, appeal",
    "overpaid": "check our pricing; if the payer overpaid it will likely ask for the money back, "
    "so let billing know",
    "denied": "read the denial reason codes, then correct and resubmit the claim, or appeal",
}


def present_variance(data: Payload, links: RecordLinks) -> Notice:
    kind = text_of(data, "classification", "variance")
    carcs = data.get("carcs")
    facts = {
        "claim": claim_label(data) or "not stated",
        "patient_control_number": text_of(data, "patient_control_number"),
        "kind": humanise(kind),
        "payer": payer_label(data),
        "contract": contract_label(data),
        "contract_ref": text_of(data, "contract_name", text_of(data, "contract_id")),
        "expected": money(data.get("expected_allowed")),
        "paid": money(data.get("paid_amount")),
        "patient_responsibility": money(data.get("patient_responsibility")),
        "variance": money(data.get("variance")).lstrip("-"),
        "remittance_date": long_date(data.get("remittance_date")),
        "reason_codes": ", ".join(map(str, carcs)) if isinstance(carcs, list) else "",
        "action": VARIANCE_ACTIONS.get(kind, "look into the difference"),
        "link": links.claim(data.get("claim_id")),
    }
    summary = f"Claim {facts['claim']} {facts['kind']} by {facts['variance']} ({facts['payer']})"
    if kind == "denied":
        summary = f"Claim {facts['claim']} denied ({facts['payer']}, {facts['expected']} expected)"
    return Notice(
        "claim.variance_detected", "claim_variance_detected", summary, summary, facts["link"], facts
    )


def last_answer(data: Payload) -> str:
    """`503 Service Unavailable`, `connection refused`, or `no answer`."""
    parts = [text_of(data, "last_status_code", ""), text_of(data, "error", "")]
    return " ".join(part for part in parts if part) or "no answer"


def present_delivery_failed(data: Payload, links: RecordLinks) -> Notice:
    """notification.failed; the handler may add `destination` and `last_status_code`."""
    channel = text_of(data, "channel", "")
    facts = {
        "failed_event_type": text_of(data, "event_type", "subscribed"),
        "event_id": text_of(data, "event_id"),
        "destination": text_of(data, "destination", f"your {channel} endpoint".replace("  ", " ")),
        "attempts": text_of(data, "attempts", "several"),
        "last_answer": last_answer(data),
        "link": links.subscription(data.get("subscription_id")),
    }
    summary = f"A {facts['failed_event_type']} notification to {facts['destination']} was not delivered"
    return Notice("notification.failed", "notification_failed", summary, summary, facts["link"], facts)


def present_endpoint_disabled(data: Payload, links: RecordLinks) -> Notice:
    facts = {
        "destination": text_of(data, "destination", "your webhook endpoint"),
        "reason": text_of(data, "reason", "Deliveries kept failing."),
        "link": links.subscription(data.get("subscription_id")),
    }
    summary = f"Webhook deliveries to {facts['destination']} are switched off"
    return Notice(
        "notification.endpoint_disabled",
        "notification_endpoint_disabled",
        summary,
        summary,
        facts["link"],
        facts,
    )


SAFE_REFERENCES = ("contract_id", "obligation_id", "claim_id", "patient_control_number")


def present_generic(event_type: str, data: Payload, links: RecordLinks) -> Notice:
    """Any other event: its type and the identifiers known to be safe, never the raw payload."""
    references = [(humanise(field), text_of(data, field)) for field in SAFE_REFERENCES if data.get(field)]
    label = humanise(event_type).capitalize() if event_type else "An event"
    facts = {"label": label, "references": references, "link": links.home}
    summary = label + "".join(f", {name} {value}" for name, value in references)
    return Notice(event_type, "generic", f"Accord: {summary}", summary, links.home, facts)


PRESENTERS: dict[str, Callable[[Payload, RecordLinks], Notice]] = {
    "obligation.created": _obligation("obligation.created", "New deadline"),
    "obligation.due_soon": _obligation("obligation.due_soon", "Coming up"),
    "obligation.overdue": _obligation("obligation.overdue", "Overdue"),
    "claim.variance_detected": present_variance,
    "notification.failed": present_delivery_failed,
    "notification.endpoint_disabled": present_endpoint_disabled,
    **CONTRACT_PRESENTERS,
}


def present(event_type: str, data: Payload, links: RecordLinks) -> Notice:
    """The notice for one event; an event type without its own template gets the generic one."""
    presenter = PRESENTERS.get(event_type)
    if presenter is None:
        return present_generic(event_type, data, links)
    return presenter(data, links)
