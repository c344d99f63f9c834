"""FastAPI dependencies of the engine: its caches and settings, request bodies read with a limit."""

from __future__ import annotations

from typing import Annotated

from accord_common.errors import PayloadTooLarge
from fastapi import Depends, Request

from reimbursement_engine.adapters.caches import EngineCaches
from reimbursement_engine.adapters.compute_pool import ComputePool
from reimbursement_engine.config import EngineSettings


def get_caches(request: Request) -> EngineCaches:
    caches: EngineCaches = request.app.state.caches
    return caches


def get_compute(request: Request) -> ComputePool | None:
    pool: ComputePool | None = request.app.state.compute
    return pool


def get_settings(request: Request) -> EngineSettings:
    settings: EngineSettings = request.app.state.runtime.settings
    return settings


Caches = Annotated[EngineCaches, Depends(get_caches)]
Settings = Annotated[EngineSettings, Depends(get_settings)]
Compute = Annotated[ComputePool | None, Depends(get_compute)]


async def read_limited(request: Request, limit: int) -> bytes:
    """The request body, refused with 413 as soon as it passes `limit` bytes."""
    return bytes(await read_limited_buffer(request, limit))


async def read_limited_buffer(request: Request, limit: int) -> bytearray:
    """`read_limited` in the one buffer it is read into (no copy: a large upload held once)."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"body of {declared} bytes exceeds the {limit}-byte limit")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise PayloadTooLarge(f"body exceeds the {limit}-byte limit")
    return body
