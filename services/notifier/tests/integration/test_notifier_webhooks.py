"""Signed webhooks on a real PostgreSQL, a real broker and a real HTTP receiver."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from accord_common.testing.outbox import outbox_events
from notifier.adapters.orm import metadata
from notifier.config import NotifierSettings
from notifier_harness import MailSink, Notifier, Receiver, obligation_event, running, wait_for
from standardwebhooks.webhooks import Webhook, WebhookVerificationError


async def test_signed_webhook_verifies_and_tampering_fails(receiver: Receiver, notifier: Notifier) -> None:
    org, headers = await notifier.tenant()
    created = await notifier.subscribe(
        headers,
        name="Ops webhook",
        event_types=["obligation.*"],
        channel={"kind": "webhook", "url": receiver.url},
    )
    secret = created["channel"]["secret"]
    assert secret.startswith("whsec_")
    event = obligation_event(org)
    await notifier.publish(event)

    async def arrived() -> list[object]:
        return receiver.about(event.data["contract_id"])  # type: ignore[return-value]

    await wait_for("the webhook", arrived)
    request = receiver.about(event.data["contract_id"])[0]
    Webhook(secret).verify(request.body, request.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(request.body.replace(b"2027", b"2029"), request.headers)
    assert request.headers["content-type"] == "application/cloudevents+json; charset=UTF-8"
    assert json.loads(request.body)["id"] == event.id
    from cloudevents.core.bindings.http import HTTPMessage, from_http_event

    read = from_http_event(HTTPMessage(headers=dict(request.headers), body=request.body))  # the official SDK
    assert (read.get_id(), read.get_type()) == (event.id, event.type)
    assert request.headers["webhook-id"].startswith("msg_")

    again = await notifier.client.get(f"/v1/subscriptions/{created['id']}", headers=headers)
    assert "secret" not in again.json()["channel"]


async def test_receiver_down_then_up_gets_the_event_once(
    make_receiver: Callable[..., Receiver], notifier: Notifier
) -> None:
    receiver = make_receiver(answer=lambda n: 500 if n < 2 else 204)
    org, headers = await notifier.tenant()
    await notifier.subscribe(
        headers,
        name="flaky",
        event_types=["obligation.created"],
        channel={"kind": "webhook", "url": receiver.url},
    )
    event = obligation_event(org)
    await notifier.publish(event)
    row = await notifier.wait_delivered(event.id)
    response = await notifier.client.get(f"/v1/deliveries/{row.id}", headers=headers)
    attempts = response.json()["attempts"]
    assert [a["status_code"] for a in attempts] == [500, 500, 204]
    assert all(a["latency_ms"] >= 0 for a in attempts)
    assert len({r.headers["webhook-id"] for r in receiver.received}) == 1
    assert len(receiver.received) == 3  # two refused while down, one accepted


async def test_always_failing_endpoint_is_dead_lettered_disabled_and_owner_emailed(
    make_settings: Callable[..., NotifierSettings],
    make_receiver: Callable[..., Receiver],
    mail_sink: MailSink,
) -> None:
    receiver = make_receiver(answer=lambda n: 503)
    settings = make_settings(retry_delays_seconds=[0.2], disable_after_consecutive_dead=2)
    async with running(settings) as notifier:
        org, headers = await notifier.tenant()
        created = await notifier.subscribe(
            headers,
            name="broken",
            event_types=["obligation.created"],
            channel={"kind": "webhook", "url": receiver.url},
            owner_email="it-owner@clinic.example",
        )
        events = [obligation_event(org), obligation_event(org)]
        await notifier.publish(*events)

        async def owner_mail() -> list[object]:
            return [m for m in mail_sink.about(created["id"]) if "it-owner@clinic.example" in m["To"]]

        assert "switched off" in (await wait_for("the owner's email", owner_mail))[0]["Subject"]
        view = (await notifier.client.get(f"/v1/subscriptions/{created['id']}", headers=headers)).json()
        assert view["enabled"] is False and "failed" in view["disabled_reason"]
        dead = await notifier.client.get(
            "/v1/deliveries", headers=headers, params={"subscription_id": created["id"], "status": "dead"}
        )
        assert [len(d["attempts"]) for d in dead.json()["items"]] == [2, 2]
        assert await _outbox_count(notifier, "notification.failed", created["id"]) == 2

        await _then_nothing_more_until_enabled(notifier, org, created["id"], headers)


async def _then_nothing_more_until_enabled(
    notifier: Notifier, org: str, subscription_id: str, headers: dict[str, str]
) -> None:
    later = obligation_event(org)  # a disabled subscription matches nothing more
    await notifier.publish(later)
    await wait_for("the later event consumed", lambda: notifier.consumed(later.id))
    assert await notifier.delivery_rows(later.id) == []
    enabled = await notifier.client.post(f"/v1/subscriptions/{subscription_id}/enable", headers=headers)
    assert enabled.json()["enabled"] is True
    replayed = await notifier.client.post(
        f"/v1/subscriptions/{subscription_id}/replay-failed", headers=headers
    )
    assert replayed.json() == {"replayed": 2}


async def _outbox_count(notifier: Notifier, topic: str, subscription_id: str) -> int:
    outbox = metadata.tables["outbox"]
    async with notifier.runtime.sessions() as session:
        found = await outbox_events(session, outbox, topic=topic)
    return sum(
        1 for event in found if json.loads(event.payload)["data"]["subscription_id"] == subscription_id
    )


async def test_private_addresses_are_refused_with_422(make_settings: Callable[..., NotifierSettings]) -> None:
    async with running(make_settings(webhook_allow_private="")) as notifier:
        _, headers = await notifier.tenant()
        for url in (
            "http://10.0.0.5/hooks",
            "http://169.254.169.254/latest/meta-data",
            "http://127.0.0.1:8080/",
            "http://[::1]/",
            "ftp://example.com/",
        ):
            response = await notifier.client.post(
                "/v1/subscriptions",
                headers=headers,
                json={
                    "name": "sneaky",
                    "event_types": ["obligation.created"],
                    "channel": {"kind": "webhook", "url": url},
                },
            )
            assert response.status_code == 422, url
            assert response.headers["content-type"] == "application/problem+json"
            assert response.json()["errors"][0]["field"] == "channel.url"
