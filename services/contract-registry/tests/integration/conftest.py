"""The registry in-process on a fresh PostgreSQL database and the test broker, with API keys for two
organisations (A and B) so every test can check tenant isolation."""

from __future__ import annotations

import sys
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from accord_common.auth import ALL_SCOPES, issue_key
from accord_common.testing.kafka import KafkaBroker
from accord_common.testing.postgres import PostgresServer
from asgi_lifespan import LifespanManager
from contract_registry.bootstrap import build_app
from contract_registry.config import RegistrySettings
from fastapi import FastAPI

_HERE = str(Path(__file__).parent)
_SHARED = str(Path(__file__).parents[1])  # tic_examples.py, shared by unit and integration tests
for _folder in (_SHARED, _HERE):
    if _folder not in sys.path:
        sys.path.insert(0, _folder)

REGISTRY_SCOPES = {"contracts:read", "contracts:write", "contracts:approve", "keys:admin"}
assert REGISTRY_SCOPES <= ALL_SCOPES


@dataclass
class Registry:
    app: FastAPI
    a: httpx.AsyncClient
    b: httpx.AsyncClient
    org_a: str
    org_b: str
    settings: RegistrySettings

    @property
    def runtime(self) -> Any:
        return self.app.state.runtime


async def _client(app: FastAPI, key: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app),
        base_url="http://registry",
        headers={"Authorization": f"Bearer {key}"},
    )


@pytest.fixture(scope="module")
async def registry(
    postgres_server: PostgresServer, kafka_broker: KafkaBroker, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Registry]:
    url = await postgres_server.create_database_async(f"registry_{uuid.uuid4().hex[:10]}")
    settings = RegistrySettings(
        database_url=url,
        kafka_bootstrap=kafka_broker.bootstrap,
        documents_dir=str(tmp_path_factory.mktemp("documents")),
        max_upload_bytes=64 * 1024,
        log_json=False,
        relay_poll_interval_ms=100,
        outbox_retention_days=1,  # published rows kept: tests read what was published from them
    )
    app = build_app(settings)
    org_a, org_b = f"org-a-{uuid.uuid4().hex[:6]}", f"org-b-{uuid.uuid4().hex[:6]}"
    async with LifespanManager(app, startup_timeout=120, shutdown_timeout=30):
        runtime = app.state.runtime
        async with runtime.sessions() as session, session.begin():
            key_a = await issue_key(
                session, runtime.metadata, organization_id=org_a, name="alice@st-mary", scopes=REGISTRY_SCOPES
            )
            key_b = await issue_key(
                session, runtime.metadata, organization_id=org_b, name="bob@elsewhere", scopes=REGISTRY_SCOPES
            )
        async with await _client(app, key_a) as a, await _client(app, key_b) as b:
            yield Registry(app, a, b, org_a, org_b, settings)
