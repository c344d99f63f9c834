"""The dispatcher and the consumer's handler on SQLite, with fake senders and a hand-moved clock."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from accord_common.events import CloudEvent, new_event
from notifier.adapters.dns import resolve_host
from notifier.adapters.orm import (
    contract_versions,
    contracts,
    deliveries,
    owner_emails,
    subscriptions,
)
from notifier.adapters.webhooks import HttpWebhookPoster
from notifier.bootstrap import Outside, build_runtime
from notifier.config import NotifierSettings
from notifier.domain import sign
from notifier.handlers.dispatch import Claim, record_outcome
from notifier.ports import SendResult
from notifier_world import ORG, SECRET, START, FakeMail, World, obligation


async def test_the_same_event_twice_makes_one_delivery(world: World) -> None:
    await world.subscribe()
    event = obligation()
    assert await world.consume(event) == 1
    assert await world.consume(event) == 0
    assert len(await world.rows(deliveries)) == 1


async def test_other_organisations_and_filters_get_nothing(world: World) -> None:
    await world.subscribe(filters={"obligation_kind": "escalator"})
    await world.subscribe(organization_id="org-other")
    assert await world.consume(obligation()) == 0


@pytest.mark.parametrize("stored_as", ["encrypted", "plain, from before encryption at rest"])
async def test_a_webhook_is_signed_with_the_secret_the_stored_value_holds(
    world: World, stored_as: str
) -> None:
    value = world.box.encrypt(SECRET) if stored_as == "encrypted" else SECRET
    await world.subscribe(secrets=[{"value": value, "retires_at": None}])
    await world.consume(obligation())
    await world.run_until_quiet(rounds=1)
    ((_, body, headers),) = world.webhooks.posts
    assert (
        headers["webhook-signature"] == sign(headers["webhook-id"], START, body, SECRET)["webhook-signature"]
    )


async def test_a_webhook_is_retried_then_delivered_with_every_attempt_recorded(world: World) -> None:
    await world.subscribe()
    world.webhooks.statuses = [500, None]
    await world.consume(obligation())
    await world.run_until_quiet()
    (row,) = await world.rows(deliveries)
    assert row.status == "delivered"
    assert len(world.webhooks.posts) == 3
    assert len({headers["webhook-id"] for _, _, headers in world.webhooks.posts}) == 1
    topics = await world.outbox_topics()
    assert topics == ["notification.delivered"]


async def test_dead_deliveries_disable_the_endpoint_and_mail_its_owner(world: World) -> None:
    subscription_id = await world.subscribe(owner_email="owner@clinic.example")
    world.webhooks.statuses = [503] * 6
    await world.consume(obligation())
    await world.consume(obligation())
    await world.run_until_quiet()
    assert {r.status for r in await world.rows(deliveries)} == {"dead"}
    (subscription,) = await world.rows(subscriptions)
    assert subscription.disabled_at is not None
    (notice,) = await world.rows(owner_emails)
    assert notice.sent_at is not None
    (mail,) = world.mail.sent
    assert mail.recipients == ("owner@clinic.example",)
    assert subscription_id in mail.text and "/in" not in mail.text  # the path may hold a token
    assert await world.consume(obligation()) == 0


async def test_a_delivered_webhook_resets_the_endpoint_count_and_a_healthy_one_is_left_alone(
    world: World,
) -> None:
    """The count of dead deliveries in a row goes up with a dead one and back to 0 with a delivered
    one; while it stays 0 a delivered webhook leaves the subscription's row as it was."""
    await world.subscribe()
    world.webhooks.statuses = [503] * 3  # the first delivery: every try refused, dead
    await world.consume(obligation())
    await world.run_until_quiet()
    ((dead_count, touched_at),) = [
        (r.consecutive_dead, r.updated_at) for r in await world.rows(subscriptions)
    ]
    assert dead_count == 1
    world.webhooks.statuses = []  # accepted from now on
    await world.consume(obligation())
    await world.run_until_quiet()
    assert [r.consecutive_dead for r in await world.rows(subscriptions)] == [0]
    async with world.runtime.sessions() as session, session.begin():
        await session.execute(subscriptions.update().values(updated_at=touched_at, consecutive_dead=0))
    before = await world.rows(subscriptions)
    await world.consume(obligation())
    await world.run_until_quiet()
    assert sorted(r.status for r in await world.rows(deliveries)) == ["dead", "delivered", "delivered"]
    assert await world.rows(subscriptions) == before


async def test_gone_disables_at_once(world: World) -> None:
    await world.subscribe()
    world.webhooks.statuses = [410]
    await world.consume(obligation())
    await world.run_until_quiet()
    assert [r.status for r in await world.rows(deliveries)] == ["disabled"]
    assert (await world.rows(subscriptions))[0].disabled_reason.startswith("The endpoint answered 410")


async def test_a_delivery_for_a_disabled_subscription_is_stopped_unsent(world: World) -> None:
    await world.subscribe()
    await world.consume(obligation())
    async with world.runtime.sessions() as session, session.begin():
        await session.execute(subscriptions.update().values(disabled_at=START))
    await world.run_until_quiet(rounds=2)
    assert world.webhooks.posts == []
    assert [r.status for r in await world.rows(deliveries)] == ["disabled"]


async def test_an_expired_lease_is_claimed_again_and_the_old_holder_is_ignored(world: World) -> None:
    await world.subscribe()
    await world.consume(obligation())
    jobs = await world.claim_deliveries()  # a notifier claims, then dies
    assert len(jobs) == 1 and await world.claim_deliveries() == []
    world.clock.now += timedelta(seconds=31)
    await world.dispatcher.tick(world.runtime)
    assert [r.status for r in await world.rows(deliveries)] == ["delivered"]
    late = await record_outcome(
        world.runtime.uow(), jobs[0].claim, SendResult(204, 1), world.rules, world.clock()
    )
    assert late is None
    stale = Claim(jobs[0].claim.delivery_id, "not-the-holder")
    assert await record_outcome(world.runtime.uow(), stale, None, world.rules, world.clock()) is None


async def test_digest_deliveries_wait_for_the_digest_hour_and_go_as_one_mail(world: World) -> None:
    await world.subscribe(
        channel_kind="email", webhook_url=None, secrets=None, recipients=["team@clinic.example"], digest=True
    )
    events = [obligation(), obligation(title="Escalator check", kind="escalator")]
    for event in events:
        await world.consume(event)
    await world.run_until_quiet(rounds=2)
    assert world.mail.sent == []
    world.clock.now = datetime(2026, 3, 3, 7, 0, tzinfo=UTC)
    await world.run_until_quiet(rounds=2)
    (mail,) = world.mail.sent
    assert all(e.data["obligation_id"] in mail.text for e in events)
    assert {r.status for r in await world.rows(deliveries)} == {"delivered"}


def contract_event(
    event_type: str = "contract.created", version: int = 1, status: str = "draft", **overrides: Any
) -> CloudEvent:
    data = {
        "contract_id": CONTRACT,
        "organization_id": ORG,
        "payer_id": "payer-acme",
        "payer_name": "Acme Health Plan",
        "contract_name": "Acme PPO 2027",
        "status": status,
        "version": version,
        "effective_from": "2027-01-01",
        "terms": {"effective_date": "2027-01-01", "auto_renew": True, "notice_days": 90},
    } | overrides
    return new_event(event_type, source="contract-registry", subject=CONTRACT, data=data, organization_id=ORG)


CONTRACT = str(uuid.uuid4())
EMAIL = {"channel_kind": "email", "webhook_url": None, "secrets": None, "recipients": ["team@clinic.example"]}


async def test_contract_events_keep_the_projection_by_version_and_are_delivered(world: World) -> None:
    await world.subscribe(event_types=["contract.*"])
    events = [
        contract_event(),
        contract_event("contract.activated", status="active"),
        contract_event("contract.created", status="draft"),  # late, from another topic: ignored
        contract_event("contract.amended", version=2, status="active", contract_name="Acme PPO 2027 (v2)"),
        contract_event("contract.activated", status="active", contract_name="Old name"),  # older version
    ]
    for event in events:
        await world.consume_as_the_consumer_does(event)
    (held,) = await world.rows(contracts)
    assert (held.version, held.status, held.contract_name) == (2, "active", "Acme PPO 2027 (v2)")
    assert (held.organization_id, held.payer_id, held.payer_name) == (ORG, "payer-acme", "Acme Health Plan")
    assert len(await world.rows(deliveries)) == len(events)  # every one still goes to its subscriber


async def test_each_versions_terms_are_kept_as_the_newest_revision_says_them(world: World) -> None:
    """The terms of each version (what an amendment mail compares with): a later revision about a
    version replaces them, a stale one delivered late changes nothing, a new version adds a row."""

    def about_version_1(revision: int, notice_days: int) -> CloudEvent:
        terms = {"effective_date": "2027-01-01", "auto_renew": True, "notice_days": notice_days}
        return contract_event("contract.amended", revision=revision, terms=terms)

    for event in (about_version_1(2, 120), about_version_1(1, 60), about_version_1(3, 150)):
        await world.consume_as_the_consumer_does(event)
    await world.consume_as_the_consumer_does(
        contract_event("contract.amended", version=2, status="active", revision=4)
    )
    held = {(r.version, r.revision): r.terms for r in await world.rows(contract_versions)}
    assert sorted(held) == [(1, 3), (2, 4)]
    assert held[(1, 3)]["notice_days"] == "150"  # the fingerprint keeps terms as text


async def test_emails_and_digests_name_the_contract_and_payer_webhooks_stay_as_received(
    world: World,
) -> None:
    await world.consume_as_the_consumer_does(contract_event(status="active"))
    await world.subscribe(**EMAIL)
    await world.subscribe(**EMAIL, digest=True)
    await world.subscribe()  # a webhook
    event = obligation(contract_id=CONTRACT, payer_id="payer-acme")
    await world.consume(event)
    await world.run_until_quiet(rounds=2)
    (single,) = world.mail.sent
    assert single.subject.startswith("New deadline: Renewal notice (Acme Health Plan, due")
    assert "the Acme PPO 2027 contract with Acme Health Plan" in single.text
    assert "Acme Health Plan" in single.html and CONTRACT not in single.text
    ((_, body, _),) = world.webhooks.posts
    assert body == event.to_bytes()  # signed as received: no names added
    world.clock.now = datetime(2026, 3, 3, 7, 0, tzinfo=UTC)
    await world.run_until_quiet(rounds=2)
    digest = world.mail.sent[1]
    assert digest.subject.startswith("Accord daily digest")
    assert "Acme Health Plan" in digest.text


async def test_another_organisations_contract_lends_no_names(world: World) -> None:
    other = contract_event(organization_id="org-other")
    await world.consume_as_the_consumer_does(other)
    await world.subscribe(**EMAIL)
    await world.consume(obligation(contract_id=CONTRACT, payer_id="payer-acme"))
    await world.run_until_quiet(rounds=2)
    (mail,) = world.mail.sent
    assert "Acme" not in mail.text and "payer payer-acme" in mail.text


@dataclass
class ClosingMail(FakeMail):
    async def close(self) -> None:
        raise RuntimeError("the mail server went away")  # logged; the rest still closes


async def test_stopping_closes_the_webhook_client_and_the_rest_of_the_runtime(tmp_path: Path) -> None:
    settings = NotifierSettings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'stop.db'}", kafka_enabled=False, log_json=False
    )
    webhooks = HttpWebhookPoster(resolve_host, settings.allow_list, 5.0)
    outside = Outside(resolve=resolve_host, mail=ClosingMail(), webhooks=webhooks)
    runtime = build_runtime(settings, outside)
    assert runtime.on_stop == [outside.close]
    await runtime.start()
    assert not webhooks.is_closed
    await runtime.stop()
    assert webhooks.is_closed
    assert all(task.done() for task in runtime._tasks)  # the dispatcher was stopped first
