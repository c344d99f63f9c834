"""Fixtures of the notifier's integration tests; helpers live in notifier_harness.py.

The workspace runs pytest with --import-mode=importlib, so this folder is put on sys.path.
"""

import sys
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from accord_common.testing.kafka import KafkaBroker
from accord_common.testing.postgres import PostgresServer

_HERE = str(Path(__file__).parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

from notifier.config import NotifierSettings  # noqa: E402
from notifier_harness import MailSink, Notifier, Receiver, running, settings_for  # noqa: E402


@pytest.fixture
def make_receiver() -> Iterator[Callable[..., Receiver]]:
    """Start a webhook receiver (`answer`, `hang_first` as Receiver takes them); stopped after the test."""
    started: list[Receiver] = []

    def make(**options: Any) -> Receiver:
        started.append(Receiver(**options).start())
        return started[-1]

    yield make
    for receiver in started:
        receiver.stop()


@pytest.fixture
def receiver(make_receiver: Callable[..., Receiver]) -> Receiver:
    """A receiver answering 204 to everything."""
    return make_receiver()


@pytest.fixture(scope="session")
def mail_sink() -> Iterator[MailSink]:
    sink = MailSink().start()
    yield sink
    sink.stop()


@pytest.fixture
async def database_url(postgres_server: PostgresServer) -> str:
    return await postgres_server.create_database_async(f"notifier_{uuid.uuid4().hex[:10]}")


@pytest.fixture
def make_settings(
    database_url: str, kafka_broker: KafkaBroker, mail_sink: MailSink
) -> Callable[..., NotifierSettings]:
    """Settings on this test's database, the broker and the mail sink, with `overrides`."""

    def make(**overrides: Any) -> NotifierSettings:
        return settings_for(database_url, kafka_broker.bootstrap, mail_sink, **overrides)

    return make


@pytest.fixture
async def notifier(make_settings: Callable[..., NotifierSettings]) -> AsyncIterator[Notifier]:
    """The notifier with the default test settings, running for the whole test."""
    async with running(make_settings()) as app:
        yield app
