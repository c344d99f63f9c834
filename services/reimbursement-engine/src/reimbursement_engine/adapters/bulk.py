"""Bulk inserts: a Core `insert` executemany everywhere, and a leaner path on SQLite.

On SQLite each row becomes a plain tuple, converted with the columns' own SQLAlchemy bind
processors (computed once per table, not per value) and handed to the driver's `executemany`.
`Money` columns skip their type decorator: on SQLite it stores `str(value)` of a Decimal, which
is what this path writes (after the same Decimal check). PostgreSQL keeps the Core statement.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from operator import itemgetter
from typing import Any

from accord_common.db import Money
from sqlalchemy import Table, insert
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncSession

CHUNK = 5000
_Plan = tuple[str, Callable[[dict[str, Any]], tuple[Any, ...]], list[tuple[int, Callable[[Any], Any]]]]
_plans: dict[tuple[str, tuple[str, ...]], _Plan] = {}


def _money_text(value: Decimal) -> str:
    if not isinstance(value, Decimal):
        raise TypeError(f"Money columns take Decimal, got {type(value).__name__}")
    return str(value)


def _plan(table: Table, keys: tuple[str, ...], dialect: Dialect) -> _Plan:
    plan = _plans.get((table.name, keys))
    if plan is None:
        compiled = insert(table).compile(dialect=dialect, column_keys=list(keys))
        columns = tuple(compiled.positiontup or ())
        converters: list[tuple[int, Callable[[Any], Any]]] = []
        for index, name in enumerate(columns):
            column_type = table.c[name].type
            processor = column_type._cached_bind_processor(dialect)
            if isinstance(column_type, Money):
                converters.append((index, _money_text))
            elif processor is not None:
                converters.append((index, processor))
        getter = itemgetter(*columns)
        row_of = getter if len(columns) > 1 else (lambda row: (getter(row),))
        plan = _plans[(table.name, keys)] = (str(compiled), row_of, converters)
    return plan


def _tuples(rows: Sequence[dict[str, Any]], plan: _Plan) -> list[tuple[Any, ...]]:
    _, row_of, converters = plan
    out = []
    for row in rows:
        values = list(row_of(row))
        for index, convert in converters:
            value = values[index]
            if value is not None:
                values[index] = convert(value)
        out.append(tuple(values))
    return out


async def insert_rows(session: AsyncSession, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert rows that all have the same keys (the first row's) in chunks of CHUNK."""
    if not rows:
        return
    connection = await session.connection()
    dialect = connection.dialect
    for start in range(0, len(rows), CHUNK):
        part = rows[start : start + CHUNK]
        if dialect.name != "sqlite":
            await session.execute(insert(table), part)
            continue
        plan = _plan(table, tuple(part[0]), dialect)
        await connection.exec_driver_sql(plan[0], _tuples(part, plan))
