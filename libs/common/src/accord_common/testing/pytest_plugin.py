"""pytest plugin: session fixtures ``postgres_server`` and ``kafka_broker``, started lazily.

Enable it with ``pytest_plugins = ["accord_common.testing.pytest_plugin"]`` in the root conftest.
Nothing starts until a test requests a fixture, so unit-only runs start no server. The report
header names the providers that would be used; the terminal summary names what was started.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from accord_common.testing.kafka import KafkaBroker, plan_kafka, start_kafka
from accord_common.testing.postgres import PostgresServer, plan_postgres, start_postgres

_started: dict[str, PostgresServer | KafkaBroker] = {}


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server for the whole run; create a database per test module or test."""
    with start_postgres() as server:
        _started["database"] = server
        yield server


@pytest.fixture(scope="session")
def kafka_broker() -> Iterator[KafkaBroker]:
    """A Kafka-protocol broker for the whole run (``.bootstrap``, ``.kind``)."""
    with start_kafka() as broker:
        _started["broker"] = broker
        yield broker


def pytest_report_header(config: pytest.Config) -> list[str]:
    return [
        "accord infrastructure (started only if a test needs it): "
        f"broker={plan_kafka()} database={plan_postgres()}"
    ]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not _started:
        return
    parts = [f"{role}={handle.describe()}" for role, handle in sorted(_started.items())]
    times = [f"{role} {handle.startup_seconds:.1f}s" for role, handle in sorted(_started.items())]
    terminalreporter.write_line(f"infrastructure: {' '.join(parts)}")
    terminalreporter.write_line(f"infrastructure startup: {', '.join(times)}")
