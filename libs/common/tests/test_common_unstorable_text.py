"""Text PostgreSQL cannot store (NUL, U+0000) is the client's mistake: a 422 problem on every
service, refused before any work (a parameter, a JSON or form field, a text body) and stated in
every document (`exclude_nul`: every free string a pattern without NUL). The real-database proofs
are the registry's and the engine's hostile-input integration tests."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from accord_common.web.openapi import NO_NUL, document_api, exclude_nul
from accord_common.web.problems import install_problem_handlers, is_unstorable_text
from accord_common.web.unstorable_text import RefuseNulInTextBodies, guard_routers
from fastapi import APIRouter, FastAPI, Request
from pydantic import BaseModel
from sqlalchemy import exc as sa_exc


class _DriverError(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(f"driver error {sqlstate}")
        self.sqlstate = sqlstate


def _database_error(sqlstate: str) -> sa_exc.DBAPIError:
    return sa_exc.DBAPIError("INSERT ...", {}, _DriverError(sqlstate))


class Payer(BaseModel):
    name: str
    code: str | None = None


def _app(sqlstate: str) -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)
    document_api(app)

    @app.post("/payers")
    async def create(payer: Payer) -> Payer:
        raise _database_error(sqlstate)

    return app


@pytest.mark.parametrize(
    ("sqlstate", "status"),
    [
        ("22021", 422),  # character_not_in_repertoire: NUL in a text column
        ("22P05", 422),  # untranslatable_character: \u0000 in JSON(B)
        ("08006", 503),  # the connection failed: an outage, not the client's
        ("23505", 500),  # a unique violation nobody handled: a defect, logged
    ],
)
async def test_only_text_the_database_cannot_store_is_the_clients_422(sqlstate: str, status: int) -> None:
    transport = httpx.ASGITransport(app=_app(sqlstate), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        answer = await client.post("/payers", json={"name": "Acme\u0000"})
    assert answer.status_code == status, answer.text
    if status == 422:
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert answer.json()["errors"] == [
            {"field": "body", "message": "text may not contain the NUL character (U+0000)"}
        ]


def test_the_sqlstate_is_found_on_the_driver_error_or_its_cause() -> None:
    assert is_unstorable_text(_database_error("22021"))
    wrapped = _DriverError("XX000")
    wrapped.sqlstate = None  # type: ignore[assignment]
    wrapped.__cause__ = _DriverError("22P05")
    assert is_unstorable_text(sa_exc.DBAPIError("x", {}, wrapped))
    assert not is_unstorable_text(_database_error("23505"))
    assert not is_unstorable_text(ValueError("not a database error"))


def test_a_string_with_its_own_pattern_format_or_enum_is_left_alone() -> None:
    node = {
        "a": {"type": "string", "pattern": "^[0-9]{5}$"},
        "b": {"type": "string", "format": "date"},
        "c": {"type": "string", "enum": ["x"]},
        "d": [{"type": "string"}],
    }
    exclude_nul(node)
    assert node["a"]["pattern"] == "^[0-9]{5}$"
    assert "pattern" not in node["b"] and "pattern" not in node["c"]
    assert node["d"][0]["pattern"] == NO_NUL


def _guarded_app() -> FastAPI:
    """Routes with no API key (authentication is a no-op for them), guarded as create_app does."""
    router = APIRouter()

    @router.post("/payers")
    async def create(payer: Payer) -> Payer:
        return payer

    @router.get("/payers/{code}")
    async def read(code: str, plan: str | None = None) -> dict[str, str | None]:
        return {"code": code, "plan": plan}

    @router.post("/costs")
    async def costs(request: Request) -> dict[str, int]:
        return {"bytes": len(await request.body())}

    guard_routers([router])
    guard_routers([router])  # idempotent: apps are built many times in one process
    app = FastAPI()
    install_problem_handlers(app)
    app.add_middleware(RefuseNulInTextBodies)
    app.include_router(router)
    document_api(app)
    return app


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "field"),
    [
        ("POST", "/payers", {"json": {"name": "Acme", "code": "6\u00000"}}, "code"),
        ("POST", "/payers", {"json": {"name": "Acme", "code": None, "\u0000": 1}}, "body"),
        ("GET", "/payers/60%0054", {}, "code"),
        ("GET", "/payers/60054", {"params": {"plan": "P\u0000PO"}}, "plan"),
        (
            "POST",
            "/costs",
            {"content": b"code,cost\n99\x0013,1\n", "headers": {"content-type": "text/csv"}},
            "body",
        ),
    ],
)
async def test_nul_anywhere_is_a_422_naming_where_before_the_route_runs(
    method: str, path: str, kwargs: dict[str, Any], field: str
) -> None:
    transport = httpx.ASGITransport(app=_guarded_app(), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        answer = await client.request(method, path, **kwargs)
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"] == [
        {"field": field, "message": "text may not contain the NUL character (U+0000)"}
    ]


async def test_text_without_nul_and_binary_bodies_pass() -> None:
    transport = httpx.ASGITransport(app=_guarded_app(), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        assert (
            await client.post("/payers", json={"name": "A\\u0000"})
        ).status_code == 200  # an escaped backslash
        binary = {"content": b"\x00\x01", "headers": {"content-type": "application/octet-stream"}}
        assert (await client.post("/costs", **binary)).json() == {"bytes": 2}
        text = {
            "content": b"code,cost\n9\xc3\xa9,1\n",
            "headers": {"content-type": "text/csv; charset=utf-8"},
        }
        assert (await client.post("/costs", **text)).json() == {"bytes": 16}


def test_every_document_states_it_on_free_strings_and_map_keys() -> None:
    document = _guarded_app().openapi()
    payer = document["components"]["schemas"]["Payer"]
    assert payer["properties"]["name"]["pattern"] == NO_NUL
    read = document["paths"]["/payers/{code}"]["get"]
    assert [p["schema"].get("pattern") for p in read["parameters"] if p["name"] == "code"] == [NO_NUL]
