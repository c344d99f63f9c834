"""Alembic, driven from code: services migrate at start (or by CLI) with the same env.py helper."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command, context, op
from alembic.config import Config
from sqlalchemy import Column, Integer, MetaData, text
from sqlalchemy.engine import Connection

from accord_common.db import make_engine

_MIGRATION_LOCK = 0x0ACC0D_0001  # one key for every service: each service has its own database


def alembic_config(service_root: Path, database_url: str) -> Config:
    cfg = Config(str(service_root / "alembic.ini"))
    cfg.set_main_option("script_location", str(service_root / "migrations"))
    cfg.set_main_option("sqlalchemy.url", database_url)
    return cfg


def upgrade(service_root: Path, database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(service_root, database_url), revision)


async def upgrade_async(service_root: Path, database_url: str) -> None:
    """Run migrations from inside an event loop (Alembic's env runs its own loop in a thread)."""
    await asyncio.to_thread(upgrade, service_root, database_url)


def run_env(target_metadata: MetaData, default_url: str) -> None:
    """The body of every service's migrations/env.py (the URL comes from the caller or settings)."""
    url = context.config.get_main_option("sqlalchemy.url") or default_url
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=target_metadata, literal_binds=True, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    asyncio.run(_run_online(url, target_metadata))


async def _run_online(url: str, target_metadata: MetaData) -> None:
    engine = make_engine(url, null_pool=True)
    async with engine.connect() as connection:
        await connection.run_sync(_migrate, target_metadata)
        await connection.commit()
    await engine.dispose()


def _migrate(connection: Connection, target_metadata: MetaData) -> None:
    """On PostgreSQL one migrator at a time: processes starting together on a new database (`serve
    --workers N`, replicas) each migrate at start; without the lock two created the same tables and
    one failed to start. The lock is the transaction's: the others wait for its commit, then find
    the revisions applied and do nothing."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def bundle_outbox_rows() -> None:
    """Migration `outbox_0001` of every service: an outbox row holds a run of events
    (accord_common/outbox_bundles.py), `event_count` of them; a row written before holds one. On a
    PostgreSQL built with lz4, its payload is compressed with lz4, not pglz: a run's row is large
    enough to be compressed, and pglz made writing 20,000 events as 80 rows cost PostgreSQL 200-210 ms
    of CPU, as much as a row each; lz4 60-70 ms (docs/benchmarks.md)."""
    op.add_column("outbox", Column("event_count", Integer(), nullable=False, server_default="1"))
    bind = op.get_bind()
    if bind.dialect.name == "postgresql" and bind.execute(_LZ4).scalar():
        op.execute("ALTER TABLE outbox ALTER COLUMN payload SET COMPRESSION lz4")


def unbundle_outbox_rows() -> None:
    """Its downgrade: refused while a row holds several events, which a release before this one
    would send as one record (let the relay publish them first)."""
    waiting = op.get_bind().execute(text("SELECT count(*) FROM outbox WHERE event_count > 1")).scalar()
    if waiting:
        raise RuntimeError(f"{waiting} outbox rows hold several events: let the relay publish them first")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("event_count")


# PostgreSQL 14+ built with lz4 lists it among the values of default_toast_compression
_LZ4 = text(
    "SELECT count(*) FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)"
)
