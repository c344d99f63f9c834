"""The case both bulk-update tests run (SQLite: test_common_bulk_update.py, PostgreSQL:
integration/test_bulk_update_pg.py): a table of every column type the engine bulk-updates (Money,
Date, DateTime, JSON, NULLs) with a two-column key, the rows stored before, the changes (one for a
row that is not stored), and the same update as SQLAlchemy's Core would make it, to compare with."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from accord_common.db import Money, new_metadata
from sqlalchemy import JSON, Column, Date, DateTime, Integer, String, Table, bindparam, update

metadata = new_metadata()


def _table(name: str) -> Table:
    return Table(
        name,
        metadata,
        Column("claim_id", String(36), primary_key=True),
        Column("line_number", Integer, primary_key=True),
        Column("name", String(20), nullable=True),
        Column("amount", Money, nullable=True),
        Column("on_day", Date, nullable=True),
        Column("at", DateTime(timezone=True), nullable=True),
        Column("doc", JSON, nullable=True),
    )


core_rows, bulk_rows = _table("core_rows"), _table("bulk_rows")
NOW = datetime(2026, 11, 23, 14, 5, 6, 789, tzinfo=UTC)
KEYS = ("claim_id", "line_number")


def stored_rows() -> list[dict[str, Any]]:
    """Two claims of two lines each, before the update."""
    return [
        {"claim_id": c, "line_number": n, "name": "old", "amount": Decimal("1.00"), "on_day": None}
        | {"at": None, "doc": {"old": True}}
        for c in ("c-1", "c-2")
        for n in (1, 2)
    ]


def changes() -> list[dict[str, Any]]:
    """New values for three of the four lines (c-2 line 2 left alone) and one for a line that is
    not stored."""
    eastern = timezone(timedelta(hours=-5))
    return [
        {"claim_id": "c-1", "line_number": 1, "name": "é one", "amount": Decimal("150.00")}
        | {"on_day": date(2024, 2, 29), "at": NOW, "doc": {"lines": [1, 2], "text": "é"}},
        {"claim_id": "c-1", "line_number": 2, "name": None, "amount": Decimal("0.123456")}
        | {"on_day": None, "at": datetime(2026, 1, 1, 9, 0, tzinfo=eastern), "doc": []},
        {"claim_id": "c-2", "line_number": 1, "name": "x", "amount": None, "on_day": date(2026, 3, 14)}
        | {"at": NOW, "doc": None},
        {"claim_id": "c-9", "line_number": 1, "name": "none", "amount": Decimal("9")}
        | {"on_day": None, "at": None, "doc": None},
    ]


def core_update(table: Table) -> Any:
    return (
        update(table)
        .where(*[table.c[k] == bindparam(f"b_{k}") for k in KEYS])
        .values({c: bindparam(f"b_{c}") for c in changes()[0] if c not in KEYS})
    )


def core_params() -> list[dict[str, Any]]:
    return [{f"b_{k}": v for k, v in row.items()} for row in changes()]
