"""The composition root: settings, clock, runtime, consumers, scheduler and app are wired here."""

from __future__ import annotations

from pathlib import Path

from accord_common.keys.projection import key_projection_handlers
from accord_common.runtime import ServiceRuntime
from accord_common.web.app import create_app
from fastapi import FastAPI

from obligation_tracker.adapters.orm import metadata
from obligation_tracker.clock import Clock, system_clock
from obligation_tracker.config import TrackerSettings
from obligation_tracker.entrypoints.api import routers
from obligation_tracker.entrypoints.consumers import event_handlers
from obligation_tracker.handlers.context import Tracker
from obligation_tracker.scheduler import scheduler_task

SERVICE_ROOT = Path(__file__).resolve().parents[2]


def build_runtime(
    settings: TrackerSettings | None = None, clock: Clock = system_clock, *, tracker: Tracker | None = None
) -> ServiceRuntime:
    settings = settings or TrackerSettings()
    tracker = tracker or Tracker.from_settings(settings, clock)
    background = []
    if settings.scheduler_enabled:
        background.append(
            scheduler_task(tracker, settings.scheduler_interval_seconds, settings.scheduler_batch_size)
        )
    return ServiceRuntime(
        settings=settings,
        metadata=metadata,
        service_root=SERVICE_ROOT,
        handlers={**event_handlers(tracker), **key_projection_handlers()},
        background=background,
    )


def build_app(settings: TrackerSettings | None = None, clock: Clock = system_clock) -> FastAPI:
    settings = settings or TrackerSettings()
    tracker = Tracker.from_settings(settings, clock)
    app = create_app(
        build_runtime(settings, clock, tracker=tracker),
        routers,
        title="Accord obligation tracker",
        description="Deadlines derived from contract versions and claims (renewal notices, escalators, "
        "timely filing, prompt pay, appeals), their reminders, calendar feeds and value-based KPIs.",
    )
    app.state.tracker = tracker
    return app
