"""The request observer (pure ASGI): nosniff on every answer unless the route set its own, the
metrics per route template and status, a 500 counted when the route fails; and the pool's ping only
for a connection idle past IDLE_PING_S."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from accord_common import db
from accord_common.web.observe import REQUESTS, ObserveRequests
from fastapi import FastAPI, Response
from sqlalchemy import exc


def _app() -> FastAPI:
    app = FastAPI()

    @app.get("/v1/things/{thing_id}")
    async def thing(thing_id: str) -> dict[str, str]:
        return {"id": thing_id}

    @app.get("/v1/own-header")
    async def own_header() -> Response:
        return Response("x", headers={"X-Content-Type-Options": "custom"})

    @app.get("/v1/broken")
    async def broken() -> None:
        raise RuntimeError("boom")

    app.add_middleware(ObserveRequests)
    return app


def _count(route: str, status: str) -> float:
    return REQUESTS.labels("GET", route, status)._value.get()


async def test_every_answer_says_nosniff_and_is_counted_by_route_template() -> None:
    transport = httpx.ASGITransport(_app(), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        before = _count("/v1/things/{thing_id}", "200")
        answer = await client.get("/v1/things/t-1")
        assert answer.json() == {"id": "t-1"} and answer.headers["x-content-type-options"] == "nosniff"
        assert _count("/v1/things/{thing_id}", "200") == before + 1
        own = await client.get("/v1/own-header")
        assert own.headers.get_list("x-content-type-options") == ["custom"]
        missing = await client.get("/nowhere")
        assert missing.status_code == 404 and missing.headers["x-content-type-options"] == "nosniff"
        failed_before = _count("/v1/broken", "500")
        assert (await client.get("/v1/broken")).status_code == 500
        assert _count("/v1/broken", "500") == failed_before + 1


class _Connection:
    def __init__(self, alive: bool) -> None:
        self.alive, self.pings = alive, 0

    def ping(self) -> None:
        self.pings += 1
        if not self.alive:
            raise OSError("connection reset")


class _Record:
    def __init__(self, idle_s: float | None, now: float) -> None:
        self.info: dict[str, Any] = {} if idle_s is None else {"checked_in_at": now - idle_s}


@pytest.mark.parametrize(("idle_s", "pings"), [(None, 0), (0.1, 0), (4.9, 0), (5.1, 1), (600, 1)])
def test_a_pooled_connection_is_pinged_only_after_being_idle(
    monkeypatch: pytest.MonkeyPatch, idle_s: float | None, pings: int
) -> None:
    monkeypatch.setattr(db.time, "monotonic", lambda: 1000.0)
    connection = _Connection(alive=True)
    db._ping_if_idle(connection, _Record(idle_s, 1000.0), None)
    assert connection.pings == pings


def test_an_idle_connection_that_does_not_answer_is_replaced() -> None:
    with pytest.raises(exc.DisconnectionError):
        db._ping_if_idle(_Connection(alive=False), _Record(60, db.time.monotonic()), None)
