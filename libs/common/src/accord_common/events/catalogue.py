"""Every event type Accord publishes: its topic, payload model, producer and schema version."""

from __future__ import annotations

import builtins
import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from accord_common.events import payloads as p


@dataclass(frozen=True, slots=True)
class EventSpec:
    type: str
    payload: builtins.type[p.Payload]
    producer: str
    summary: str
    schema_version: int = 1

    @property
    def topic(self) -> str:
        """Topic = event type; the message key is the aggregate id (the event's subject)."""
        return self.type


_SPECS = [
    EventSpec("contract.created", p.ContractVersionData, "contract-registry", "A contract was created."),
    EventSpec("contract.amended", p.ContractVersionData, "contract-registry", "A new version was added."),
    EventSpec(
        "contract.activated",
        p.ContractVersionData,
        "contract-registry",
        "A contract became active.",
    ),
    EventSpec("contract.renewed", p.ContractVersionData, "contract-registry", "A contract renewed."),
    EventSpec("contract.terminated", p.ContractVersionData, "contract-registry", "A contract ended."),
    EventSpec(
        "fee_schedule.published",
        p.FeeScheduleChunkData,
        "contract-registry",
        "One chunk of a fee schedule's rows (keyed by schedule id).",
    ),
    EventSpec(
        "organisation.updated",
        p.OrganisationData,
        "contract-registry",
        "The organisation profile changed: its locations (NPIs, ZIP, Medicare locality, CBSA).",
    ),
    EventSpec("claim.submitted", p.ClaimData, "billing systems", "A billing system submitted a claim."),
    EventSpec("claim.priced", p.ClaimData, "reimbursement-engine", "Expected price computed."),
    EventSpec(
        "claim.pricing_requested",
        p.ClaimPricingRequestData,
        "reimbursement-engine",
        "The engine's own request to price the next batch of claims a contract change affects.",
    ),
    EventSpec("claim.paid", p.ClaimPaidData, "reimbursement-engine", "A payer paid a claim (835)."),
    EventSpec(
        "claim.variance_detected",
        p.ClaimVarianceData,
        "reimbursement-engine",
        "Paid differs from expected (underpaid, overpaid, denied).",
    ),
    EventSpec(
        "claim.variance_status_changed",
        p.VarianceStatusChangedData,
        "reimbursement-engine",
        "Staff moved a variance along its workflow (appealed, recovered, written off).",
    ),
    EventSpec(
        "claim.appeal_sent",
        p.AppealSentData,
        "reimbursement-engine",
        "An appeal letter (PDF attached) to mail to the payer; the notifier sends it.",
    ),
    EventSpec("obligation.created", p.ObligationData, "obligation-tracker", "A deadline appeared."),
    EventSpec("obligation.rescheduled", p.ObligationData, "obligation-tracker", "A deadline moved."),
    EventSpec("obligation.cancelled", p.ObligationData, "obligation-tracker", "No longer applies."),
    EventSpec("obligation.due_soon", p.ObligationData, "obligation-tracker", "A lead time reached."),
    EventSpec("obligation.overdue", p.ObligationData, "obligation-tracker", "A deadline passed."),
    EventSpec("obligation.completed", p.ObligationData, "obligation-tracker", "Marked done."),
    EventSpec(
        "obligation.breached",
        p.ObligationData,
        "obligation-tracker",
        "A payer missed a deadline (e.g. prompt pay); interest_owed says what it owes.",
    ),
    EventSpec("kpi.at_risk", p.KpiAtRiskData, "obligation-tracker", "A measure may miss target."),
    EventSpec(
        "api_key.issued",
        p.ApiKeyData,
        "contract-registry",
        "An administrator issued an API key (or a rotation's new one): its hash, scopes, expiry.",
    ),
    EventSpec("api_key.revoked", p.ApiKeyData, "contract-registry", "An API key was revoked."),
    EventSpec(
        "api_key.expiry_changed",
        p.ApiKeyData,
        "contract-registry",
        "An API key's expiry was set (a rotation's old key, or an administrator's expire).",
    ),
    EventSpec(
        "api_key.used",
        p.ApiKeyUsageData,
        "every service",
        "A key was used on a service (coalesced per flush interval): the registry's last use.",
    ),
    EventSpec("notification.delivered", p.NotificationData, "notifier", "A notification arrived."),
    EventSpec("notification.failed", p.NotificationData, "notifier", "Delivery gave up."),
]

CATALOGUE: dict[str, EventSpec] = {spec.type: spec for spec in _SPECS}
# The events that carry a contract version (ContractVersionData): every consumer of contract versions
# subscribes to exactly these.
CONTRACT_VERSION_EVENTS: tuple[str, ...] = tuple(
    spec.type for spec in _SPECS if spec.payload is p.ContractVersionData
)


def payload_model(event_type: str) -> type[p.Payload]:
    return CATALOGUE[event_type].payload


@functools.cache
def _checker(event_type: str) -> tuple[frozenset[str], Callable[[Any], Any]]:
    """The schema's field names and its validator (what `model_validate` calls), looked up once
    per event type."""
    model = payload_model(event_type)
    return frozenset(model.model_fields), model.__pydantic_validator__.validate_python


def check_payload(event_type: str, data: dict[str, Any]) -> None:
    """Refuse a payload off its schema (unknown fields too), without building the answer: the outbox
    checks every event it is given this way (a re-pricing batch: 2,000 claim.priced). The model's
    own validator and its field names, looked up once per event type."""
    fields, validate = _checker(event_type)
    if not fields.issuperset(data):
        unknown = set(data) - fields
        raise ValueError(f"{event_type}: fields not in the schema: {', '.join(sorted(unknown))}")
    validate(data)


def validate_payload(event_type: str, data: dict[str, Any], *, strict: bool) -> dict[str, Any]:
    """Validate a payload; strict (producer side) also refuses fields the schema lacks."""
    model = payload_model(event_type)
    if strict:
        unknown = sorted(set(data) - set(model.model_fields))
        if unknown:
            raise ValueError(f"{event_type}: fields not in the schema: {', '.join(unknown)}")
    dumped: dict[str, Any] = model.model_validate(data).model_dump(mode="json")
    return dumped


# Every service keeps a projection of the managed keys (they authenticate locally, no call to the
# registry per request); the registry learns each key's last use from api_key.used.
API_KEY_EVENTS: tuple[str, ...] = ("api_key.issued", "api_key.revoked", "api_key.expiry_changed")

# Who receives what: each service's consumer group and the event types its handlers take (the
# AsyncAPI document's receive operations; tests/api holds every service's registered handlers equal).
RECEIVERS: dict[str, tuple[str, ...]] = {
    "reimbursement-engine": (
        *CONTRACT_VERSION_EVENTS,
        "fee_schedule.published",
        "organisation.updated",
        "claim.submitted",
        "claim.paid",
        "claim.pricing_requested",
        *API_KEY_EVENTS,
    ),
    "obligation-tracker": (
        *CONTRACT_VERSION_EVENTS,
        "claim.priced",
        "claim.paid",
        "claim.variance_detected",
        "claim.variance_status_changed",
        *API_KEY_EVENTS,
    ),
    # the notifier delivers every business event, never a key's (hashes stay off mail and webhooks)
    "notifier": tuple(t for t in CATALOGUE if not t.startswith(("notification.", "api_key.")))
    + API_KEY_EVENTS,
    "contract-registry": ("api_key.used",),
}
