"""Request and response models of the notifier's API."""

from __future__ import annotations

from datetime import datetime
from itertools import product
from typing import Annotated, Any, Generic, Literal, TypeVar

from accord_common.web.patch import PatchModel
from accord_common.web.types import Amount
from pydantic import BaseModel, ConfigDict, Field

from notifier.handlers.validation import SUBSCRIBABLE

T = TypeVar("T")
Text = Annotated[str, Field(min_length=1, max_length=200)]
# The server's own check (notifier.domain.channels), narrowed so JSON Schema can say it without a
# lookahead: at most 64 characters before the @ and no "..", a domain of at most 191.
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]"
EMAIL_PATTERN = (
    rf"^{_ATOM}{{1,32}}(\.{_ATOM}{{1,31}})?"
    r"@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.){1,2}[A-Za-z]{2,63}$"
)
EmailAddress = Annotated[
    str, Field(max_length=254, pattern=EMAIL_PATTERN, examples=["cfo@example-health.org"])
]


def _patterns(event_type: str) -> set[str]:
    """Every pattern covering `event_type`: each segment itself or `*`, and a trailing `*` for the rest."""
    segments = event_type.split(".")
    found = set()
    for cut in range(1, len(segments) + 1):
        for choice in product(*[(segment, "*") for segment in segments[:cut]]):
            if cut == len(segments) or choice[-1] == "*":
                found.add(".".join(choice))
    return found


# What event_types accepts: an event Accord publishes, or a pattern that covers at least one.
EVENT_PATTERNS = tuple(sorted(set().union(*(_patterns(t) for t in SUBSCRIBABLE))))
EventPatternText = Annotated[
    str, Field(json_schema_extra={"enum": list(EVENT_PATTERNS)}, description="An event type or pattern.")
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FiltersIn(Strict):
    """Narrow the subscribed events further: every filter given must match, and an event that does
    not carry the field (a contract event has no variance) does not match."""

    payer_id: str | None = Field(None, max_length=64, description="Only events about this payer.")
    contract_id: str | None = Field(None, max_length=64, description="Only events about this contract.")
    min_variance: Amount | None = Field(None, description="Least size of a claim variance, e.g. '100.00'.")
    obligation_kind: str | None = Field(
        None, max_length=64, description="Only obligations of this kind, e.g. 'renewal_notice'."
    )


class WebhookChannelIn(Strict):
    kind: Literal["webhook"]
    url: str = Field(min_length=1, max_length=2000, description="http(s) URL on a public address.")


class EmailChannelIn(Strict):
    kind: Literal["email"]
    recipients: list[EmailAddress] = Field(
        min_length=1, max_length=50, description="Email addresses to send to."
    )
    digest: bool = Field(False, description="Collect into one mail a day instead of one per event.")


ChannelIn = Annotated[WebhookChannelIn | EmailChannelIn, Field(discriminator="kind")]


WEBHOOK_SUBSCRIPTION: dict[str, Any] = {
    "name": "Billing system: payment variances",
    "event_types": ["claim.variance_detected"],
    "filters": {"payer_id": "a1b2c3d4-0000-4000-8000-000000000001", "min_variance": "100.00"},
    "channel": {"kind": "webhook", "url": "https://billing.example-health.org/hooks/accord"},
    "owner_email": "integrations@example-health.org",
}
EMAIL_SUBSCRIPTION: dict[str, Any] = {
    "name": "Contracting team: renewal notice deadlines",
    "event_types": ["obligation.due_soon", "obligation.overdue"],
    "filters": {"obligation_kind": "renewal_notice"},
    "channel": {
        "kind": "email",
        "recipients": ["contracting@example-health.org", "cfo@example-health.org"],
        "digest": True,
    },
}


class SubscriptionIn(Strict):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [WEBHOOK_SUBSCRIPTION, EMAIL_SUBSCRIPTION]}
    )

    name: Text
    event_types: list[EventPatternText] = Field(
        min_length=1,
        max_length=50,
        description="Event types or patterns, e.g. 'obligation.*' (`*` is one segment; a trailing `*` "
        "covers the rest); each must cover an event Accord publishes.",
    )
    filters: FiltersIn = FiltersIn()
    channel: ChannelIn = Field(description="Where to deliver: a signed webhook or email.")
    owner_email: EmailAddress | None = Field(
        None, description="Who hears about it if the webhook is switched off."
    )


class SubscriptionPatch(PatchModel):
    """Fields to change; only filters (to clear them all) and owner_email may be null."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"event_types": ["obligation.*", "kpi.at_risk"], "filters": None},
                {"channel": {"kind": "webhook", "url": "https://billing.example-health.org/hooks/accord-v2"}},
                {"name": "Contracting team: renewals", "owner_email": None},
            ]
        },
    )

    nullable_fields = frozenset({"filters", "owner_email"})
    name: Text | None = None
    event_types: list[EventPatternText] | None = Field(None, min_length=1, max_length=50)
    filters: FiltersIn | None = None
    channel: ChannelIn | None = None
    owner_email: EmailAddress | None = None


class FiltersOut(BaseModel):
    payer_id: str | None = None
    contract_id: str | None = None
    min_variance: str | None = None
    obligation_kind: str | None = None


class WebhookChannelOut(BaseModel):
    kind: Literal["webhook"]
    url: str


class NewWebhookChannelOut(WebhookChannelOut):
    secret: str = Field(description="The signing secret (whsec_...): shown in this response only.")


class EmailChannelOut(BaseModel):
    kind: Literal["email"]
    recipients: list[str]
    digest: bool


class SubscriptionOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"description": "A subscription; secrets are never shown."})

    id: str
    name: str
    event_types: list[str]
    filters: FiltersOut
    channel: Annotated[WebhookChannelOut | EmailChannelOut, Field(discriminator="kind")]
    owner_email: str | None
    enabled: bool
    disabled_at: datetime | None
    disabled_reason: str | None
    created_at: datetime
    updated_at: datetime


class CreatedSubscriptionOut(SubscriptionOut):
    channel: Annotated[NewWebhookChannelOut | EmailChannelOut, Field(discriminator="kind")]


class SecretOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
                    "previous_secret_retires_at": "2026-03-02T14:05:00Z",
                }
            ]
        }
    )

    secret: str = Field(description="The new signing secret, shown once.")
    previous_secret_retires_at: datetime | None = Field(
        description="Until then the previous secret signs too (each webhook carries both signatures)."
    )


class AttemptOut(BaseModel):
    number: int
    at: datetime
    status_code: int | None
    latency_ms: int
    outcome: str
    error: str | None


class DeliveryOut(BaseModel):
    id: str
    subscription_id: str
    event_id: str
    event_type: str
    channel: str
    status: str
    webhook_id: str | None
    next_attempt_at: datetime | None
    created_at: datetime
    ended_at: datetime | None
    attempts: list[AttemptOut]


class ReplayOut(BaseModel):
    replayed: int


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None
