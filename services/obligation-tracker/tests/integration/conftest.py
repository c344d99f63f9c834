"""The tracker's integration tests share the harness in tracker_harness.py and the `tracker` fixture.

The workspace runs pytest with --import-mode=importlib, which does not put test folders on
sys.path; this folder is added so `from tracker_harness import ...` works.
"""

import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from accord_common.testing.kafka import KafkaBroker
from accord_common.testing.postgres import PostgresServer

_HERE = str(Path(__file__).parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

from tracker_harness import Harness, running_tracker  # noqa: E402


@pytest.fixture(scope="module")
async def tracker(postgres_server: PostgresServer, kafka_broker: KafkaBroker) -> AsyncIterator[Harness]:
    """One tracker per test module on its own database; tests keep to their own contracts or orgs."""
    async with running_tracker(postgres_server, kafka_broker) as harness:
        yield harness
