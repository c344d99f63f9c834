"""Text PostgreSQL cannot store (NUL, U+0000) is the client's mistake: a 422 problem on every
service. `exclude_nul` states it in a document (the registry's: every free string a pattern without
NUL). The real-database proof is the registry's hostile-input integration test (NUL in a name)."""

from __future__ import annotations

import httpx
import pytest
from accord_common.web.openapi import NO_NUL, document_api, exclude_nul
from accord_common.web.problems import install_problem_handlers, is_unstorable_text
from fastapi import FastAPI
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
