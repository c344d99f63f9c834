"""What each kind of event says to a person: subject, the facts, what to do and by when.

Presenters pick named fields from the event payload and nothing else, so a patient's name or
any other PHI a payload might carry never reaches a mail: claims are named by claim id and
patient control number only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from notifier.domain.formatting import RecordLinks, humanise, long_date, money, text_of

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


OBLIGATION_ACTIONS = {
    "renewal_notice": "send the payer the written notice the renewal clause asks for, and keep "
    "proof of delivery",
    "termination_notice": "send the payer the written termination notice, and keep proof of delivery",
    "appeal": "file the appeal with the payer, with the remittance and the contracted rate",
    "timely_filing": "get the claim to the payer before the filing limit",
    "rate_escalator": "check that the payer has loaded the new rates, and raise it if not",
    "objection_window": "review the payer's proposed change and send any objection in writing",
    "kpi_report": "gather the figures and send the report the contract asks for",
}
DEFAULT_ACTION = "do what the contract asks for here"


def obligation_context(data: Payload, links: RecordLinks) -> dict[str, str]:
    kind = text_of(data, "obligation_kind", "obligation")
    return {
        "title": text_of(data, "title", humanise(kind).capitalize()),
        "kind": humanise(kind),
        "due": long_date(data.get("due_date")),
        "days_until_due": text_of(data, "days_until_due", ""),
        "contract": text_of(data, "contract_name", "the contract"),
        "payer": text_of(data, "payer_name", "the payer"),
        "action": OBLIGATION_ACTIONS.get(kind, DEFAULT_ACTION),
        "claim_id": text_of(data, "claim_id", ""),
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
    "underpaid": "check the remittance's adjustment codes; if the payer applied the wrong rate, appeal",
    "overpaid": "check our pricing; if the payer overpaid it will likely ask for the money back, "
    "so let billing know",
    "denied": "read the denial reason codes, then correct and resubmit the claim, or appeal",
}


def present_variance(data: Payload, links: RecordLinks) -> Notice:
    kind = text_of(data, "variance_kind", "variance")
    variance = data.get("variance_amount")
    facts = {
        "claim_id": text_of(data, "claim_id"),
        "patient_control_number": text_of(data, "patient_control_number"),
        "kind": humanise(kind),
        "payer": text_of(data, "payer_name", "the payer"),
        "contract": text_of(data, "contract_name", "the contract"),
        "expected": money(data.get("expected_amount")),
        "paid": money(data.get("paid_amount")),
        "variance": money(variance).lstrip("-"),
        "appeal_deadline": long_date(data["appeal_deadline"]) if data.get("appeal_deadline") else "",
        "action": VARIANCE_ACTIONS.get(kind, "look into the difference"),
        "link": links.claim(data.get("claim_id")),
    }
    summary = f"Claim {facts['claim_id']} {facts['kind']} by {facts['variance']} ({facts['payer']})"
    if kind == "denied":
        summary = f"Claim {facts['claim_id']} denied ({facts['payer']}, {facts['expected']} expected)"
    return Notice(
        "claim.variance_detected", "claim_variance_detected", summary, summary, facts["link"], facts
    )


def present_delivery_failed(data: Payload, links: RecordLinks) -> Notice:
    facts = {
        "event_type": text_of(data, "event_type", "an"),
        "event_id": text_of(data, "event_id"),
        "destination": text_of(data, "destination", "the endpoint"),
        "attempts": text_of(data, "attempts", "several"),
        "last_status": text_of(data, "last_status_code", "no answer"),
        "last_error": text_of(data, "last_error", ""),
        "link": links.subscription(data.get("subscription_id")),
    }
    summary = f"A {facts['event_type']} notification to {facts['destination']} was not delivered"
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
}


def present(event_type: str, data: Payload, links: RecordLinks) -> Notice:
    """The notice for one event; an event type without its own template gets the generic one."""
    presenter = PRESENTERS.get(event_type)
    if presenter is None:
        return present_generic(event_type, data, links)
    return presenter(data, links)
