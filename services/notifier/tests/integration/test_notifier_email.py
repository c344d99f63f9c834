"""Email over SMTP to a real aiosmtpd server: one per event, or a daily digest."""

from __future__ import annotations

from digest_harness import digest_hour_comes
from notifier_harness import MailSink, Notifier, html_text, obligation_event, plain_text, wait_for


async def test_email_arrives_with_text_and_html(notifier: Notifier, mail_sink: MailSink) -> None:
    org, headers = await notifier.tenant()
    await notifier.subscribe(
        headers,
        name="Contracting team",
        event_types=["obligation.created"],
        filters={"obligation_kind": "renewal_notice"},
        channel={"kind": "email", "recipients": ["contracting@clinic.example"]},
    )
    wanted = obligation_event(org)
    unwanted = obligation_event(org, kind="escalator")  # filtered out
    await notifier.publish(unwanted, wanted)
    obligation_id = wanted.data["obligation_id"]

    async def mail() -> list[object]:
        return mail_sink.about(obligation_id)  # type: ignore[return-value]

    message = (await wait_for("the email", mail))[0]
    assert message["To"] == "contracting@clinic.example"
    assert message["Subject"].startswith("New deadline: Renewal notice to Acme Health Plan")
    text = plain_text(message)
    assert obligation_id in text and "Saturday 2 October 2027" in text
    assert text.startswith("Hi,")
    assert f"https://accord.clinic.example/obligations/{obligation_id}" in html_text(message)
    # the two events have different keys, so may be consumed in either order: wait for the unwanted one
    await wait_for("the filtered event consumed", lambda: notifier.consumed(unwanted.id))
    assert await notifier.delivery_rows(unwanted.id) == []
    assert mail_sink.about(unwanted.data["obligation_id"]) == []


async def test_daily_digest_collects_the_days_events_into_one_mail(
    notifier: Notifier, mail_sink: MailSink
) -> None:
    org, headers = await notifier.tenant()
    await notifier.subscribe(
        headers,
        name="Digest",
        event_types=["obligation.*"],
        channel={"kind": "email", "recipients": ["digest@clinic.example"], "digest": True},
    )
    events = [obligation_event(org), obligation_event(org, title="Escalator check", kind="escalator")]
    await notifier.publish(*events)

    async def waiting() -> bool:
        rows = [r for e in events for r in await notifier.delivery_rows(e.id)]
        return len(rows) == 2 and all(r.status == "pending" and r.next_attempt_at for r in rows)

    await wait_for("two deliveries waiting for the digest", waiting)
    assert not mail_sink.about(events[0].data["obligation_id"])
    await digest_hour_comes(notifier, org)

    async def digest() -> list[object]:
        return mail_sink.about(events[0].data["obligation_id"])  # type: ignore[return-value]

    message = (await wait_for("the digest", digest))[0]
    assert events[1].data["obligation_id"] in plain_text(message)
    assert message["Subject"].startswith("Accord daily digest")
    assert len(mail_sink.about(events[1].data["obligation_id"])) == 1
