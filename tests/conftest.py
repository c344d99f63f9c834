"""Fixtures shared by tests/e2e and tests/scenarios: the four services as real processes on a real broker and database.

ACCORD_E2E_DATABASE=sqlite runs them on SQLite files (the embedded default); otherwise each service
gets its own PostgreSQL database from the harness.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from accord_common.devstack.stack import SERVICES, Stack, StackConfig
from accord_common.testing import _process
from accord_common.testing.kafka import KafkaBroker


@pytest.fixture(scope="session")
def stack(
    kafka_broker: KafkaBroker, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[Stack]:
    data_dir: Path = tmp_path_factory.mktemp("stack")
    urls: dict[str, str] = {}
    if os.environ.get("ACCORD_E2E_DATABASE", "postgresql") != "sqlite":
        server = request.getfixturevalue("postgres_server")
        suffix = uuid.uuid4().hex[:6]
        urls = {
            s.name: server.create_database(f"{s.name.replace('-', '_')}_{suffix}")
            for s in SERVICES
            if s.owns_data
        }
    config = StackConfig(
        data_dir=data_dir,
        kafka_bootstrap=kafka_broker.bootstrap,
        smtp_port=_process.free_port(),
        database_urls=urls,
        port_offset=_free_offset(),
        extra_env={
            "ACCORD_TRACKER_SCHEDULER_INTERVAL_SECONDS": "1",
            # every test calls from 127.0.0.1: one test's deliberate bad keys must not throttle the
            # next test's good ones (the per-address limit is proven in the registry's integration test)
            **{f"{s.env_prefix}RATE_LIMIT_FAILED_AUTH_PER_ADDRESS_PER_MINUTE": "100000" for s in SERVICES},
        },
        services=tuple(os.environ.get("ACCORD_E2E_SERVICES", ",".join(s.name for s in SERVICES)).split(",")),
    )
    running = Stack(config)
    try:
        running.start(timeout=120)
        yield running
    finally:
        running.stop()


def _free_offset() -> int:
    """Service ports are base + offset: free, and below the ephemeral range (see free_port_offset)."""
    return _process.free_port_offset([s.port for s in SERVICES])
