"""Fixtures of the notifier's integration tests; helpers live in notifier_harness.py.

The workspace runs pytest with --import-mode=importlib, so this folder is put on sys.path.
"""

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

_HERE = str(Path(__file__).parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

from notifier_harness import MailSink, Receiver  # noqa: E402


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver().start()
    yield r
    r.stop()


@pytest.fixture(scope="session")
def mail_sink() -> Iterator[MailSink]:
    sink = MailSink().start()
    yield sink
    sink.stop()


@pytest.fixture
async def database_url(postgres_server) -> str:  # type: ignore[no-untyped-def]
    import uuid

    return await postgres_server.create_database_async(f"notifier_{uuid.uuid4().hex[:10]}")
