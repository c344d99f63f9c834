"""The webhook poster (SSRF pinning, capped body, no redirects), Retry-After, request validation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from accord_common.errors import Unprocessable
from notifier.adapters.webhooks import HttpWebhookPoster, parse_retry_after
from notifier.domain import RESPONSE_BODY_CAP_BYTES, AllowList, next_digest_at
from notifier.handlers.validation import UrlGuard, event_types, subscription_columns


class Streamed(httpx.AsyncByteStream):
    """A body that arrives as a stream, as from a real server (MockTransport pre-reads bytes)."""

    def __init__(self, body: bytes, chunk: int = 4096) -> None:
        self.body, self.chunk = body, chunk

    async def __aiter__(self):  # type: ignore[no-untyped-def]
        for start in range(0, len(self.body), self.chunk):
            yield self.body[start : start + self.chunk]


def answer(status: int, body: bytes = b"", **headers: str) -> httpx.Response:
    return httpx.Response(status, headers=headers, stream=Streamed(body))


def resolver(*addresses: str):  # type: ignore[no-untyped-def]
    async def resolve(host: str) -> list[str]:
        return list(addresses)

    return resolve


def poster(handler, *addresses: str, allow: str = "") -> HttpWebhookPoster:  # type: ignore[no-untyped-def]
    return HttpWebhookPoster(
        resolver(*addresses), AllowList.parse(allow.split(",")), 5.0, transport=httpx.MockTransport(handler)
    )


async def test_the_request_goes_to_the_checked_address_with_the_original_host() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answer(204)

    parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    result = await poster(handler, "93.184.216.34").post(
        "https://hooks.clinic.example:8443/in", b"{}", {"traceparent": parent}
    )
    assert result.status_code == 204 and result.error is None
    assert seen[0].url.host == "93.184.216.34" and seen[0].url.port == 8443
    assert seen[0].headers["host"] == "hooks.clinic.example:8443"
    assert seen[0].extensions["sni_hostname"] == "hooks.clinic.example"
    assert seen[0].headers["traceparent"].split("-")[1] == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert seen[0].headers["user-agent"].startswith("Accord-Notifier")


@pytest.mark.parametrize("address", ["10.0.0.5", "169.254.169.254", "127.0.0.1", "::ffff:10.1.2.3"])
async def test_a_host_that_now_resolves_inside_is_refused_without_a_request(address: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise AssertionError("no request may be made")

    result = await poster(handler, address).post("https://rebound.example/in", b"{}", {})
    assert result.status_code is None and "refused before sending" in (result.error or "")


async def test_the_allow_list_lets_loopback_through() -> None:
    result = await poster(lambda r: answer(200), "127.0.0.1", allow="127.0.0.0/8").post(
        "http://localhost:9000/in", b"{}", {}
    )
    assert result.status_code == 200


async def test_redirects_are_not_followed_and_the_body_is_capped() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        body = b"x" * (RESPONSE_BODY_CAP_BYTES * 3)
        return answer(302, body, location="http://10.0.0.1/", **{"retry-after": "120"})

    result = await poster(handler, "93.184.216.34").post("http://hooks.clinic.example/in", b"{}", {})
    assert result.status_code == 302
    assert result.retry_after == timedelta(seconds=120)
    assert result.error is not None and len(result.error) < 1100


async def test_a_connection_error_is_an_answerless_attempt() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused")

    result = await poster(handler, "93.184.216.34").post("http://hooks.clinic.example/in", b"{}", {})
    assert result.status_code is None and "could not connect" in (result.error or "")


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("30", timedelta(seconds=30)),
        ("Mon, 02 Mar 2026 09:01:00 GMT", timedelta(minutes=1)),
        ("soon", None),
        (None, None),
    ],
)
def test_retry_after(header: str | None, expected: timedelta | None) -> None:
    assert parse_retry_after(header, now=datetime(2026, 3, 2, 9, 0, tzinfo=UTC)) == expected


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (datetime(2026, 3, 2, 6, 59, tzinfo=UTC), datetime(2026, 3, 2, 7, 0, tzinfo=UTC)),
        (datetime(2026, 3, 2, 7, 0, tzinfo=UTC), datetime(2026, 3, 3, 7, 0, tzinfo=UTC)),
        (datetime(2026, 3, 2, 23, 30, tzinfo=UTC), datetime(2026, 3, 3, 7, 0, tzinfo=UTC)),
    ],
)
def test_next_digest_at(now: datetime, expected: datetime) -> None:
    assert next_digest_at(now, 7) == expected


def test_event_type_patterns_must_name_something_subscribable() -> None:
    assert event_types(["obligation.*", "obligation.*", "claim.paid"]) == ["obligation.*", "claim.paid"]
    with pytest.raises(ValueError, match="matches no event"):
        event_types(["notification.*"])


async def test_a_refused_url_names_the_request_field() -> None:
    guard = UrlGuard(resolver("10.0.0.5"), AllowList())
    body = {"channel": {"kind": "webhook", "url": "https://intranet.clinic.example/hook"}}
    with pytest.raises(Unprocessable) as refused:
        await subscription_columns(body, guard)
    assert refused.value.errors[0]["field"] == "channel.url"


async def test_recipients_are_normalised_and_deduplicated() -> None:
    body = {"channel": {"kind": "email", "recipients": ["Ann@Clinic.Example", "Ann@clinic.example"]}}
    columns = await subscription_columns(body, UrlGuard(resolver(), AllowList()))
    assert columns["recipients"] == ["Ann@clinic.example"]
