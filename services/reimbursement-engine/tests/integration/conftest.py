"""The engine in-process on a fresh PostgreSQL database (Medicare CY2025 loaded once), with or
without the broker. Tests share the app and isolate themselves by organisation id.

CMS Medicare Physician Fee Schedule CY2025 (RVU25D), US government work, via ../shared/data.
X12 examples: LinuxForHealth/x12 (Apache-2.0), azoner/pyx12 (BSD), mjkubba/edi (MIT), via ../shared/data.
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

if str(Path(__file__).parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).parent))

from engine_helpers import CMS_PFS_2025, Engine, start_engine


@pytest.fixture(scope="session")
async def engine(postgres_server) -> AsyncIterator[Engine]:  # type: ignore[no-untyped-def]
    """One engine (Kafka disabled) for the tests that need no broker."""
    if not (CMS_PFS_2025 / "pprrvu2025_oct.csv").exists():
        pytest.fail(f"CMS CY2025 files not found in {CMS_PFS_2025} (set ACCORD_SHARED_DATA)")
    url = await postgres_server.create_database_async(f"engine_{uuid.uuid4().hex[:8]}")
    async with start_engine(url, kafka_bootstrap=None, medicare=True) as running:
        yield running
