"""Request and response models of the notifier's API."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Generic, Literal, TypeVar

from accord_common.web.patch import PatchModel
from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")
Text = Annotated[str, Field(min_length=1, max_length=200)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FiltersIn(Strict):
    payer_id: str | None = Field(None, max_length=64)
    contract_id: str | None = Field(None, max_length=64)
    min_variance: Decimal | None = Field(None, description="Least size of a claim variance, e.g. '100.00'.")
    obligation_kind: str | None = Field(None, max_length=64)


class WebhookChannelIn(Strict):
    kind: Literal["webhook"]
    url: str = Field(min_length=1, max_length=2000, description="http(s) URL on a public address.")


class EmailChannelIn(Strict):
    kind: Literal["email"]
    recipients: list[str] = Field(min_length=1, max_length=50)
    digest: bool = Field(False, description="Collect into one mail a day instead of one per event.")


ChannelIn = Annotated[WebhookChannelIn | EmailChannelIn, Field(discriminator="kind")]


class SubscriptionIn(Strict):
    name: Text
    event_types: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(
        min_length=1, max_length=50, description="Event types or patterns, e.g. 'obligation.*'."
    )
    filters: FiltersIn = FiltersIn()
    channel: ChannelIn
    owner_email: str | None = Field(
        None, max_length=320, description="Who hears about it if the webhook is switched off."
    )


class SubscriptionPatch(PatchModel):
    """Fields to change; only filters (to clear them all) and owner_email may be null."""

    nullable_fields = frozenset({"filters", "owner_email"})
    name: Text | None = None
    event_types: list[Annotated[str, Field(min_length=1, max_length=200)]] | None = Field(
        None, min_length=1, max_length=50
    )
    filters: FiltersIn | None = None
    channel: ChannelIn | None = None
    owner_email: str | None = Field(None, max_length=320)


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
    secret: str = Field(description="The new signing secret, shown once.")
    previous_secret_retires_at: datetime | None


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
