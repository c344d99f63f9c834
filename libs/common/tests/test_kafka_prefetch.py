"""hold_prefetch: the fetcher's wait for untaken records set long; a fetcher without it is left as is."""

from __future__ import annotations

import logging
from types import SimpleNamespace
from typing import Any, cast

import pytest
from accord_common.messaging.kafka import PREFETCH_HELD_S, hold_prefetch


def test_a_started_consumers_fetcher_holds_its_prefetch() -> None:
    consumer = SimpleNamespace(_fetcher=SimpleNamespace(_prefetch_backoff=0.1))
    hold_prefetch(cast(Any, consumer))
    assert consumer._fetcher._prefetch_backoff == PREFETCH_HELD_S


def test_a_fetcher_without_the_setting_is_left_as_it_is_and_said(caplog: pytest.LogCaptureFixture) -> None:
    consumer = SimpleNamespace(_fetcher=SimpleNamespace())
    with caplog.at_level(logging.WARNING):
        hold_prefetch(cast(Any, consumer))
    assert not hasattr(consumer._fetcher, "_prefetch_backoff")
    assert "no prefetch backoff to hold" in caplog.text
