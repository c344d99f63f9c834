"""What fuzzing the services against their OpenAPI documents found in the shared HTTP edge:
tampered cursors, naive SQLite times, explicit nulls in PATCH bodies, lost 405 headers, and
error responses the document did not declare."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Annotated, Any

import httpx
import pytest
from accord_common.db import make_engine, new_metadata
from accord_common.errors import Unprocessable
from accord_common.web.deps import CurrentPrincipal, decode_cursor, encode_cursor
from accord_common.web.openapi import document_api
from accord_common.web.patch import PatchModel
from accord_common.web.problems import install_problem_handlers
from fastapi import FastAPI
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import Column, DateTime, Integer, Table, insert, select


def _cursor(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode()


def test_a_cursor_round_trips() -> None:
    cursor = encode_cursor({"after": "p-1"})
    assert decode_cursor(cursor, {"after": str}) == {"after": "p-1"}
    assert decode_cursor(encode_cursor({"after": 42}), {"after": int}) == {"after": 42}


@pytest.mark.parametrize(
    "cursor",
    [
        "not base64 at all!",
        base64.urlsafe_b64encode(b"\xff\xfe").decode(),
        _cursor([1]),
        _cursor({"after": [1]}),
        _cursor({"after": {"x": 1}}),
        _cursor({"after": 1.5}),
        _cursor({"after": True}),
        _cursor({"other": "x"}),
    ],
)
def test_a_tampered_cursor_is_refused_before_any_query(cursor: str) -> None:
    with pytest.raises(Unprocessable, match="cursor is not valid"):
        decode_cursor(cursor, {"after": str})


async def test_sqlite_returns_aware_utc_times(tmp_path: Path) -> None:
    metadata = new_metadata()
    table = Table(
        "t", metadata, Column("id", Integer, primary_key=True), Column("at", DateTime(timezone=True))
    )
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 't.db'}")
    two_hours_east = timezone(timedelta(hours=2))
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
        await conn.execute(insert(table).values(id=1, at=datetime(2026, 3, 2, 12, 0, tzinfo=two_hours_east)))
        stored = (await conn.execute(select(table.c.at))).scalar_one()
        later = select(table.c.id).where(table.c.at > datetime(2026, 3, 2, 10, 30, tzinfo=UTC))
        assert (await conn.execute(later)).all() == []
    await engine.dispose()
    assert stored == datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    assert stored.tzinfo is UTC
    assert stored.isoformat().endswith("+00:00")  # RFC 3339 date-time, as the API documents


class Item(BaseModel):
    name: str
    kind: str = "standard"


class ThingPatch(PatchModel):
    nullable_fields = frozenset({"note"})

    name: str | None = Field(default=None, min_length=1)
    items: list[Item] | None = None
    note: str | None = None


@pytest.mark.parametrize("field", ["name", "items"])
def test_a_patch_refuses_null_for_a_field_that_cannot_be_cleared(field: str) -> None:
    with pytest.raises(ValidationError) as refused:
        ThingPatch.model_validate({field: None})
    [error] = refused.value.errors()
    assert error["loc"] == (field,)
    assert "not null" in error["msg"]


def test_a_patch_takes_null_where_it_clears_and_keeps_nested_defaults() -> None:
    patch = ThingPatch.model_validate({"note": None, "items": [{"name": "a"}]})
    assert patch.changes() == {"note": None, "items": [{"name": "a", "kind": "standard"}]}
    assert ThingPatch.model_validate({}).changes() == {}


def test_a_patch_schema_shows_only_clearable_fields_as_nullable() -> None:
    properties = ThingPatch.model_json_schema()["properties"]
    assert properties["name"]["type"] == "string"
    assert properties["items"]["type"] == "array"
    assert {"type": "null"} in properties["note"]["anyOf"]


def _app() -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)

    @app.get("/v1/things/{thing_id}")
    async def get_thing(thing_id: str, who: CurrentPrincipal) -> dict[str, str]:
        return {"id": thing_id}

    @app.post("/v1/things")
    async def create_thing(body: Item, who: CurrentPrincipal) -> dict[str, str]:
        return {"name": body.name}

    @app.get("/v1/feeds/{token}.ics")
    async def feed(token: Annotated[str, Field(max_length=64)]) -> dict[str, str]:
        return {"token": token}

    @app.post("/v1/echo")
    async def echo(body: Item) -> dict[str, str]:
        return {"name": body.name}

    document_api(app)
    return app


async def test_a_wrong_method_keeps_its_allow_header_and_a_real_title() -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(_app()), base_url="http://t") as client:
        response = await client.request("TRACE", "/v1/echo")
    assert response.status_code == 405
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["allow"] == "POST"
    assert response.json()["title"] == "Method Not Allowed"


async def test_an_unreadable_body_is_a_clear_400_problem() -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(_app()), base_url="http://t") as client:
        response = await client.post(
            "/v1/echo", content=b"\xca\x95\xff\x01", headers={"content-type": "application/json"}
        )
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["title"] == "Bad Request"
    assert "could not be parsed" in response.json()["detail"]


async def test_malformed_json_names_the_body_and_where_it_breaks() -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(_app()), base_url="http://t") as client:
        response = await client.post(
            "/v1/echo", content=b"{bad", headers={"content-type": "application/json"}
        )
    assert response.status_code == 422
    problem = response.json()
    assert problem["detail"] == "invalid request: body"
    [error] = problem["errors"]
    assert error["field"] == "body"
    assert error["message"].startswith("not valid JSON: ")


def test_the_document_declares_auth_only_where_a_key_is_taken_and_errors_as_problems() -> None:
    document = _app().openapi()
    paths = document["paths"]
    assert document["components"]["securitySchemes"]["ApiKeyBearer"]["scheme"] == "bearer"
    assert "HTTPValidationError" not in document["components"]["schemas"]
    authenticated = paths["/v1/things/{thing_id}"]["get"]
    assert authenticated["security"] == [{"ApiKeyBearer": []}]
    assert {"401", "403", "404", "422", "default"} <= set(authenticated["responses"])
    assert "security" not in paths["/v1/feeds/{token}.ics"]["get"]
    assert "401" not in paths["/v1/feeds/{token}.ics"]["get"]["responses"]
    for item in paths.values():
        for operation in item.values():
            for code, response in operation["responses"].items():
                if code == "default" or int(code) >= 400:
                    assert list(response["content"]) == ["application/problem+json"], code


async def test_a_request_without_a_key_is_a_401_problem() -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(_app()), base_url="http://t") as client:
        response = await client.get("/v1/things/t-1", headers={"Authorization": "Basic dTpw"})
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"] == "Bearer"
