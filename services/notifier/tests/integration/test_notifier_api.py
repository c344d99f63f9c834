"""The subscription API: tenant isolation, secrets shown once, rotation, validation, pages."""

from __future__ import annotations

import secrets

from accord_common.auth import issue_key
from accord_common.testing.kafka import KafkaBroker
from notifier_harness import (
    MailSink,
    Receiver,
    new_org,
    obligation_event,
    publish,
    running,
    settings_for,
    variance_event,
    wait_for,
)
from standardwebhooks.webhooks import Webhook


async def test_another_organisation_gets_404_for_subscriptions_and_deliveries(
    database_url: str, kafka_broker: KafkaBroker, mail_sink: MailSink, receiver: Receiver
) -> None:
    async with running(settings_for(database_url, kafka_broker.bootstrap, mail_sink)) as notifier:
        org_a = new_org()
        a, b = await notifier.api_key(org_a), await notifier.api_key(new_org())
        created = await notifier.subscribe(
            a,
            name="A's hook",
            event_types=["obligation.created"],
            channel={"kind": "webhook", "url": receiver.url},
        )
        event = obligation_event(org_a)
        await publish(kafka_broker.bootstrap, event)

        async def delivered() -> list[object]:
            return [r for r in await notifier.delivery_rows(event.id) if r.status == "delivered"]

        delivery = (await wait_for("A's delivery", delivered))[0]
        sub = f"/v1/subscriptions/{created['id']}"
        client = notifier.client
        for response in (
            await client.get(sub, headers=b),
            await client.patch(sub, headers=b, json={"name": "mine now"}),
            await client.post(f"{sub}/rotate-secret", headers=b),
            await client.post(f"{sub}/enable", headers=b),
            await client.post(f"{sub}/replay-failed", headers=b),
            await client.get(f"/v1/deliveries/{delivery.id}", headers=b),
            await client.post(f"/v1/deliveries/{delivery.id}/replay", headers=b),
            await client.delete(sub, headers=b),
        ):
            assert response.status_code == 404, response.request.url
            assert response.headers["content-type"] == "application/problem+json"
        assert (await client.get("/v1/subscriptions", headers=b)).json()["items"] == []
        assert (await client.get("/v1/deliveries", headers=b)).json()["items"] == []
        assert (await client.get(sub, headers=a)).json()["name"] == "A's hook"
        assert len((await client.get("/v1/deliveries", headers=a)).json()["items"]) == 1


async def test_rotated_secret_and_old_one_both_verify_during_the_overlap(
    database_url: str, kafka_broker: KafkaBroker, mail_sink: MailSink, receiver: Receiver
) -> None:
    async with running(settings_for(database_url, kafka_broker.bootstrap, mail_sink)) as notifier:
        org = new_org()
        headers = await notifier.api_key(org)
        created = await notifier.subscribe(
            headers,
            name="rotating",
            event_types=["claim.*"],
            channel={"kind": "webhook", "url": receiver.url},
        )
        rotated = await notifier.client.post(
            f"/v1/subscriptions/{created['id']}/rotate-secret", headers=headers
        )
        assert rotated.status_code == 200
        new_secret = rotated.json()["secret"]
        assert new_secret != created["channel"]["secret"]
        event, claim = obligation_event(org), variance_event(org)  # only claims are subscribed
        await publish(kafka_broker.bootstrap, event, claim)

        async def arrived() -> list[object]:
            return receiver.about(claim.id)  # type: ignore[return-value]

        request = (await wait_for("the claim webhook", arrived))[0]
        for secret in (created["channel"]["secret"], new_secret):
            Webhook(secret).verify(request.body, request.headers)
        assert len(request.headers["webhook-signature"].split(" ")) == 2
        assert receiver.about(event.id) == []


BASE = {
    "name": "x",
    "event_types": ["obligation.*"],
    "channel": {"kind": "email", "recipients": ["a@clinic.example"]},
}


async def test_invalid_requests_get_422_naming_the_field(
    database_url: str, kafka_broker: KafkaBroker, mail_sink: MailSink
) -> None:
    async with running(settings_for(database_url, kafka_broker.bootstrap, mail_sink)) as notifier:
        headers = await notifier.api_key(new_org())
        bad = [
            ({"event_types": ["nothing.here"]}, "event_types"),
            ({"event_types": ["notification.failed"]}, "event_types"),
            ({"channel": {"kind": "email", "recipients": ["not an address"]}}, "channel.recipients"),
            ({"filters": {"min_variance": "-5"}}, "filters.min_variance"),
            ({"owner_email": "nobody"}, "owner_email"),
            ({"colour": "blue"}, "colour"),
        ]
        for change, field in bad:
            response = await notifier.client.post("/v1/subscriptions", headers=headers, json=BASE | change)
            assert response.status_code == 422, change
            assert response.json()["errors"][0]["field"] == field


async def test_scopes_pagination_and_delete(
    database_url: str, kafka_broker: KafkaBroker, mail_sink: MailSink
) -> None:
    async with running(settings_for(database_url, kafka_broker.bootstrap, mail_sink)) as notifier:
        org = new_org()
        headers = await notifier.api_key(org)
        client, base = notifier.client, BASE
        for n in range(3):
            await notifier.subscribe(headers, **(base | {"name": f"s{n}"}))
        first = (await client.get("/v1/subscriptions", headers=headers, params={"limit": 2})).json()
        second = (
            await client.get(
                "/v1/subscriptions", headers=headers, params={"limit": 2, "cursor": first["next_cursor"]}
            )
        ).json()
        assert len(first["items"]) == 2 and len(second["items"]) == 1
        raw = f"acc_{secrets.token_hex(6)}_{secrets.token_hex(24)}"
        async with notifier.runtime.sessions() as session, session.begin():
            await issue_key(
                session,
                notifier.runtime.metadata,
                organization_id=org,
                name="reader",
                scopes={"notifications:read"},
                raw_key=raw,
            )
        reader = {"Authorization": f"Bearer {raw}"}
        assert (await client.get("/v1/subscriptions", headers=reader)).status_code == 200
        assert (await client.post("/v1/subscriptions", headers=reader, json=base)).status_code == 403
        sub_id = first["items"][0]["id"]
        assert (await client.delete(f"/v1/subscriptions/{sub_id}", headers=headers)).status_code == 204
        assert (await client.get(f"/v1/subscriptions/{sub_id}", headers=headers)).status_code == 404
