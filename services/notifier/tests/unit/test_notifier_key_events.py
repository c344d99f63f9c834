"""API key events carry key hashes: the notifier projects them for its own authentication and never
delivers them to a subscription (mail or webhook)."""

from __future__ import annotations

from accord_common.events.catalogue import API_KEY_EVENTS
from notifier.bootstrap import build_runtime
from notifier.entrypoints.consumers import consumed_event_types
from notifier.handlers.validation import SUBSCRIBABLE


def test_key_events_are_neither_subscribable_nor_delivered() -> None:
    for event_type in API_KEY_EVENTS:
        assert event_type not in SUBSCRIBABLE
        assert event_type not in consumed_event_types()


def test_the_notifier_keeps_the_key_projection() -> None:
    handlers = build_runtime().handlers
    assert {t: handlers[t].__name__ for t in API_KEY_EVENTS} == dict.fromkeys(API_KEY_EVENTS, "_on_key_event")
