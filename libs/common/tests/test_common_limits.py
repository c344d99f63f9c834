"""Oversized bodies are refused with 413 problem+json before a handler reads them."""

from __future__ import annotations

import httpx
from accord_common.web.limits import MaxBodySize
from fastapi import FastAPI, Request

app = FastAPI()
app.add_middleware(MaxBodySize, max_bytes=1000)
seen: list[int] = []


@app.post("/upload")
async def upload(request: Request) -> dict[str, int]:
    body = await request.body()
    seen.append(len(body))
    return {"bytes": len(body)}


async def client() -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")


async def test_a_body_within_the_limit_passes() -> None:
    async with await client() as c:
        response = await c.post("/upload", content=b"x" * 1000)
    assert response.json() == {"bytes": 1000}


async def test_a_declared_oversized_body_is_refused_up_front() -> None:
    seen.clear()
    async with await client() as c:
        response = await c.post("/upload", content=b"x" * 1001)
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == "the request body exceeds 1000 bytes"
    assert seen == []


async def test_a_chunked_oversized_body_is_cut_off() -> None:
    seen.clear()

    async def chunks():  # type: ignore[no-untyped-def]
        for _ in range(5):
            yield b"y" * 400

    async with await client() as c:
        response = await c.post("/upload", content=chunks())
    assert response.status_code == 413
    assert seen == []
