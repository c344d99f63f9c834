"""A subscription request turned into stored columns, checked by the domain's rules.

Every refusal is a 422 problem naming the request's field (`channel.url`, `event_types`, ...).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from accord_common.errors import Unprocessable
from accord_common.events import CATALOGUE

from notifier.adapters.mapping import filters_to_json
from notifier.domain import (
    AllowList,
    ChannelKind,
    EmailChannel,
    EventPattern,
    NotifierDomainError,
    SubscriptionFilter,
    check_webhook_url,
    normalise_email_address,
)
from notifier.ports import Resolver

# notification.* are the notifier's own events: sending them to subscriptions could loop. api_key.* carry
# key hashes and feed the key projection only: never a mail or a webhook.
SUBSCRIBABLE = tuple(sorted(t for t in CATALOGUE if not t.startswith(("notification.", "api_key."))))
REQUEST_FIELDS = {
    "url": "channel.url",
    "recipients": "channel.recipients",
    "min_variance_amount": "filters.min_variance",
}
MAX_URL_LENGTH = 2000


def invalid(field: str, message: str) -> Unprocessable:
    return Unprocessable(f"{field}: {message}", errors=[{"field": field, "message": message}])


@dataclass(frozen=True)
class UrlGuard:
    """Resolves a webhook's host and refuses internal addresses the allow-list does not permit."""

    resolve: Resolver
    allow_list: AllowList

    async def check(self, url: str) -> None:
        host = urlsplit(url.strip()).hostname
        addresses = await self.resolve(host) if host else []
        check_webhook_url(url, addresses, self.allow_list)


async def subscription_columns(body: Mapping[str, Any], guard: UrlGuard) -> dict[str, Any]:
    """Columns for the fields present in `body` (all of them on create, some on a patch)."""
    try:
        return await _columns(body, guard)
    except NotifierDomainError as refusal:
        raise invalid(REQUEST_FIELDS.get(refusal.field, refusal.field), refusal.message)


async def _columns(body: Mapping[str, Any], guard: UrlGuard) -> dict[str, Any]:
    columns: dict[str, Any] = {}
    if "name" in body:
        columns["name"] = " ".join(str(body["name"]).split())
    if "event_types" in body:
        columns["event_types"] = event_types(body["event_types"])
    if "filters" in body:
        columns["filters"] = filters(body["filters"] or {})
    if "owner_email" in body:
        owner = body["owner_email"]
        columns["owner_email"] = _owner_email(owner) if owner else None
    if "channel" in body:
        columns.update(await channel(body["channel"], guard))
    return columns


def event_types(texts: list[str]) -> list[str]:
    patterns = [EventPattern(text.strip()) for text in texts]
    for pattern in patterns:
        if not any(pattern.covers(event_type) for event_type in SUBSCRIBABLE):
            raise NotifierDomainError("event_types", f"{pattern.text!r} matches no event Accord publishes")
    if not patterns:
        raise NotifierDomainError("event_types", "name at least one event type or pattern")
    return list(dict.fromkeys(pattern.text for pattern in patterns))


def filters(data: Mapping[str, Any]) -> dict[str, str | None]:
    minimum = data.get("min_variance")
    parsed = SubscriptionFilter(
        payer_id=_text_or_none(data.get("payer_id")),
        contract_id=_text_or_none(data.get("contract_id")),
        min_variance_amount=None if minimum is None else Decimal(str(minimum)),
        obligation_kind=_text_or_none(data.get("obligation_kind")),
    )
    return filters_to_json(parsed)


async def channel(data: Mapping[str, Any], guard: UrlGuard) -> dict[str, Any]:
    if data["kind"] == ChannelKind.EMAIL:
        recipients = EmailChannel.to(list(data["recipients"])).recipients
        return {"channel_kind": "email", "recipients": list(recipients), "digest": bool(data.get("digest"))}
    url = str(data["url"]).strip()
    if len(url) > MAX_URL_LENGTH:
        raise NotifierDomainError("url", f"at most {MAX_URL_LENGTH} characters")
    await guard.check(url)
    return {"channel_kind": "webhook", "webhook_url": url, "digest": False}


def _owner_email(address: str) -> str:
    try:
        return normalise_email_address(address)
    except NotifierDomainError as refusal:
        raise NotifierDomainError("owner_email", refusal.message)


def _text_or_none(value: object) -> str | None:
    return None if value is None or str(value).strip() == "" else str(value).strip()
