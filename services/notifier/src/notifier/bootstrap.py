"""The composition root: settings, adapters, runtime, send loop and app are wired here only."""

from __future__ import annotations

import inspect
import logging
import random
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from accord_common.keys.projection import key_projection_handlers
from accord_common.runtime import ServiceRuntime
from accord_common.web.app import create_app
from fastapi import FastAPI

from notifier.adapters.dns import resolve_host
from notifier.adapters.orm import metadata
from notifier.adapters.secret_box import FernetSecretBox
from notifier.adapters.smtp import SmtpMailSender
from notifier.adapters.webhooks import HttpWebhookPoster
from notifier.config import NotifierSettings
from notifier.entrypoints.api import routers
from notifier.entrypoints.consumers import event_handlers
from notifier.entrypoints.send_loop import SendLoop
from notifier.handlers.dispatch import DispatchRules
from notifier.handlers.events import DELIVERIES_DUE
from notifier.handlers.sending import Senders
from notifier.handlers.validation import UrlGuard
from notifier.ports import Clock, MailSender, Resolver, SecretBox, WebhookPoster

SERVICE_ROOT = Path(__file__).resolve().parents[2]
log = logging.getLogger(__name__)


@dataclass
class Outside:
    """The outside world the notifier talks to; tests replace any part of it."""

    resolve: Resolver
    mail: MailSender
    webhooks: WebhookPoster

    async def close(self) -> None:
        """Close what the parts hold open (the webhook client's connection pool), on stop.

        A part without a `close` holds nothing; one that fails to close is logged and the rest
        are still closed, so the runtime goes on to stop the consumer, relay and database.
        """
        for part in (self.webhooks, self.mail, self.resolve):
            close = getattr(part, "close", None)
            if close is None:
                continue
            try:
                result = close()
                if inspect.isawaitable(result):
                    await result
            except Exception:
                log.exception("closing %s failed", type(part).__name__)


def default_outside(settings: NotifierSettings) -> Outside:
    return Outside(
        resolve=resolve_host,
        mail=SmtpMailSender(settings),
        webhooks=HttpWebhookPoster(resolve_host, settings.allow_list, settings.webhook_timeout_seconds),
    )


def secret_box(settings: NotifierSettings) -> SecretBox:
    """Encrypts signing secrets with the first configured key; decrypts with any of them."""
    return FernetSecretBox(settings.encryption_keys())


def senders(
    settings: NotifierSettings,
    outside: Outside,
    box: SecretBox,
    clock: Clock = lambda: datetime.now(UTC),
    rng: random.Random | None = None,
) -> Senders:
    rules = DispatchRules(
        settings.retry_policy,
        rng or random.Random(),
        settings.disable_after_consecutive_dead,
        settings.links,
    )
    return Senders(outside.mail, outside.webhooks, box, rules, clock)


def build_runtime(settings: NotifierSettings | None = None, outside: Outside | None = None) -> ServiceRuntime:
    settings = settings or NotifierSettings()
    outside = outside or default_outside(settings)
    box = secret_box(settings)
    send_loop = SendLoop(settings, senders(settings, outside, box))
    runtime = ServiceRuntime(
        settings=settings,
        metadata=metadata,
        service_root=SERVICE_ROOT,
        handlers={**event_handlers(settings.digest_hour_utc, box, outside.mail), **key_projection_handlers()},
        background=[send_loop.run],
        on_stop=[outside.close],  # after the send loop has drained, before the database goes
    )
    runtime.wakeups.on(DELIVERIES_DUE, send_loop.wake)  # a stored delivery goes out at once
    return runtime


def build_app(settings: NotifierSettings | None = None, outside: Outside | None = None) -> FastAPI:
    settings = settings or NotifierSettings()
    outside = outside or default_outside(settings)
    app = create_app(
        build_runtime(settings, outside),
        routers,
        title="Accord notifier",
        description="Subscriptions to Accord's events, delivered by email and signed webhooks, "
        "each exactly once, with every attempt on record.",
    )
    app.state.url_guard = UrlGuard(outside.resolve, settings.allow_list)
    app.state.secret_box = secret_box(settings)
    return app
