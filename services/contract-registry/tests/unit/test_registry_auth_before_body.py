"""The key is checked before the body is read; when checking it needs the database and the database is
down, the answer is the outage's 503 (FastAPI would have turned the failed read into a 400)."""

from __future__ import annotations

from pathlib import Path

import httpx
from contract_registry.bootstrap import build_app
from contract_registry.config import RegistrySettings


def _app(where: Path) -> httpx.AsyncClient:
    settings = RegistrySettings(
        database_url="postgresql+asyncpg://nobody@127.0.0.1:1/down",  # nothing listens on port 1
        kafka_enabled=False,
        documents_dir=str(where),
    )
    transport = httpx.ASGITransport(build_app(settings), raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://registry")


async def test_no_key_is_a_401_before_a_malformed_body_is_parsed(tmp_path: Path) -> None:
    async with _app(tmp_path) as client:
        response = await client.post(
            "/v1/payers", content=b"{bad", headers={"Content-Type": "application/json"}
        )
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"] == "Bearer"


async def test_a_key_that_cannot_be_looked_up_is_a_503_not_a_400(tmp_path: Path) -> None:
    headers = {"Authorization": "Bearer acc_abc_not-looked-up-yet", "Content-Type": "application/json"}
    async with _app(tmp_path) as client:
        response = await client.post("/v1/payers", content=b'{"name": "Acme"}', headers=headers)
    assert response.status_code == 503, response.text
    assert response.headers["retry-after"] == "5"
