"""The engine's migrations build exactly the tables the code declares; the money revision stamps
the reference years already loaded and keeps stored claims (SQLite)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from accord_common.migrate import alembic_config, upgrade
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from reimbursement_engine.adapters.orm import metadata
from reimbursement_engine.bootstrap import SERVICE_ROOT
from sqlalchemy import create_engine, text

BEFORE = "4c1e0d2a9f37"  # Medicare OPPS caps and anesthesia factors, before engine_money_0001


def database(tmp_path: Path) -> tuple[str, str]:
    path = tmp_path / "engine.db"
    return f"sqlite+aiosqlite:///{path}", f"sqlite:///{path}"


def query(url: str, sql: str) -> list[Any]:
    engine = create_engine(url)
    with engine.connect() as conn:
        found = list(conn.execute(text(sql)).all())
    engine.dispose()
    return found


def execute(url: str, sql: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(sql))
    engine.dispose()


def test_the_migrated_schema_is_the_declared_one(tmp_path: Path) -> None:
    async_url, url = database(tmp_path)
    upgrade(SERVICE_ROOT, async_url)
    engine = create_engine(url)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []
    engine.dispose()


def test_years_loaded_before_the_upgrade_start_at_generation_one(tmp_path: Path) -> None:
    async_url, url = database(tmp_path)
    upgrade(SERVICE_ROOT, async_url, BEFORE)
    execute(
        url,
        "INSERT INTO medicare_gpcis VALUES (2025, '01112', '54', 'BAKERSFIELD', 'CA', 1.017, 1.093, 0.662)",
    )
    execute(
        url, "INSERT INTO msdrg_weights VALUES (2025, '470', 1.9016, 'Major hip and knee joint replacement')"
    )
    upgrade(SERVICE_ROOT, async_url)
    assert sorted(tuple(r) for r in query(url, "SELECT kind, year, generation FROM reference_loads")) == [
        ("medicare", 2025, 1),
        ("msdrg", 2025, 1),
    ]
    command.downgrade(alembic_config(SERVICE_ROOT, async_url), BEFORE)
    assert query(url, "SELECT year FROM medicare_gpcis") == [(2025,)]
