"""Several processes starting at once on a new PostgreSQL database (`serve --workers N`, replicas
rolling out) each run the migrations: one applies them, the others wait and find them applied."""

from __future__ import annotations

import asyncio
import os
import sys
import uuid

from accord_common.testing.postgres import PostgresServer
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine


async def test_processes_migrating_a_new_database_at_once_all_succeed(
    postgres_server: PostgresServer,
) -> None:
    url = await postgres_server.create_database_async(f"tracker_mig_{uuid.uuid4().hex[:8]}")
    env = {**os.environ, "ACCORD_TRACKER_DATABASE_URL": url}
    command = [sys.executable, "-m", "obligation_tracker.cli", "migrate"]
    procs = [
        await asyncio.create_subprocess_exec(
            *command, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
        )
        for _ in range(3)
    ]
    outputs = await asyncio.wait_for(asyncio.gather(*(p.communicate() for p in procs)), timeout=180)
    failed = [out.decode()[-2000:] for p, (out, _) in zip(procs, outputs, strict=True) if p.returncode]
    assert failed == []
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            assert len((await conn.execute(text("SELECT version_num FROM alembic_version"))).all()) == 1
            assert await conn.scalar(text("SELECT count(*) FROM obligations")) == 0
            # outbox_0001: payloads of several events compressed with lz4 where the server has it
            lz4 = await conn.scalar(
                text(
                    "SELECT count(*) FROM pg_settings "
                    "WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)"
                )
            )
            method = await conn.scalar(
                text(
                    "SELECT attcompression::text FROM pg_attribute "
                    "WHERE attrelid = 'outbox'::regclass AND attname = 'payload'"
                )
            )
            assert (lz4, method) in ((1, "l"), (0, ""))
            assert lz4 == 1 or "ACCORD_TEST_DATABASE_URL" in os.environ  # Debian's server has lz4
    finally:
        await engine.dispose()
