"""Bulk inserts: binary COPY on PostgreSQL (asyncpg), `executemany` of prepared tuples on SQLite.

On SQLite each row becomes a plain tuple, converted with the columns' own SQLAlchemy bind
processors (looked up once per table and key set, not per value; None stays NULL except where
the processor makes something else of it, as JSON makes 'null') and handed to the driver's
`executemany`. A few column types get a cheaper converter that stores exactly what their bind
processor stores:
- `Money`: `str(Decimal)` after the same Decimal check as its type decorator;
- `Date`: `date.isoformat()` (the SQLite dialect's own processor formats "%04d-%02d-%02d" in
  Python); anything but a plain `date` still goes through the dialect's processor;
- `JSON`: `json.dumps` (what the dialect's processor calls when the engine sets no serializer);
- `DateTime`: its own processor, remembering the last value by identity (a batch stamps every row
  with the same `now` object, and formatting it is most of the cost of a timestamp column).

On PostgreSQL the same tuples (Money stays a checked Decimal, dates stay dates) go to asyncpg's
`copy_records_to_table` on the session's own connection, inside its transaction: COPY is the
server's cheapest way in and spares both sides an INSERT statement per row. Server-side defaults
(serial ids) apply as with INSERT.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Date, DateTime, Table, insert
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DatabaseError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from accord_common.db import Money

CHUNK = 5000
Converter = Callable[[Any], Any]
# the INSERT statement, the function turning row dicts into its parameter tuples, and the
# column names in the order of those tuples (what COPY names)
_Plan = tuple[str, Callable[[Sequence[dict[str, Any]]], list[tuple[Any, ...]]], list[str]]
_plans: dict[tuple[str, str, tuple[str, ...]], _Plan] = {}


def _money_text(value: Decimal) -> str:
    if not isinstance(value, Decimal):
        raise TypeError(f"Money columns take Decimal, got {type(value).__name__}")
    return str(value)


def _date_text(processor: Converter) -> Converter:
    def convert(value: Any) -> Any:
        return value.isoformat() if type(value) is date else processor(value)

    return convert


def _same_as_last(processor: Converter) -> Converter:
    last: list[Any] = [object(), None]

    def convert(value: Any) -> Any:
        if value is not last[0]:
            last[0], last[1] = value, processor(value)
        return last[1]

    return convert


def _json_text(value: Any) -> str:
    if type(value) is list and not value:  # e.g. a claim's flags: most are empty
        return "[]"
    return json.dumps(value)


def _money_checked(value: Decimal) -> Decimal:
    if not isinstance(value, Decimal):
        raise TypeError(f"Money columns take Decimal, got {type(value).__name__}")
    return value


def _converter(column_type: Any, dialect: Dialect) -> Converter | None:
    processor: Converter | None = column_type._cached_bind_processor(dialect)
    on_sqlite = dialect.name == "sqlite"
    if isinstance(column_type, Money):
        return _money_text if on_sqlite else _money_checked
    if isinstance(column_type, DateTime) and processor is not None:
        return _same_as_last(processor)
    if isinstance(column_type, Date) and processor is not None and on_sqlite:
        return _date_text(processor)
    serializer = getattr(dialect, "_json_serializer", None)
    if isinstance(column_type, JSON) and processor is not None and serializer is None:
        return _json_text
    return processor


def _null_value(column_type: Any, dialect: Dialect) -> Any:
    """What the column's own processor makes of None (JSON stores the text 'null' unless the
    column says none_as_null)."""
    if isinstance(column_type, JSON) and not column_type.none_as_null:
        processor = column_type._cached_bind_processor(dialect)
        return processor(None) if processor is not None else None
    return None


def _plan(table: Table, keys: tuple[str, ...], dialect: Dialect) -> _Plan:
    plan = _plans.get((dialect.name, table.name, keys))
    if plan is None:
        compiled = insert(table).compile(dialect=dialect, column_keys=list(keys))
        columns = tuple(compiled.positiontup or ())
        types = [table.c[name].type for name in columns]
        converters = {i: c for i, t in enumerate(types) if (c := _converter(t, dialect)) is not None}
        nulls = {i: n for i, t in enumerate(types) if (n := _null_value(t, dialect)) is not None}
        plan = _plans[(dialect.name, table.name, keys)] = (
            str(compiled),
            _tuple_builder(columns, converters, nulls),
            [table.c[name].name for name in columns],
        )
    return plan


def _tuple_builder(
    columns: tuple[str, ...], converters: dict[int, Converter], nulls: dict[int, Any]
) -> Callable[[Sequence[dict[str, Any]]], list[tuple[Any, ...]]]:
    """A function turning row dicts into parameter tuples, generated once per table and key set
    (as dataclasses generate __init__): one tuple display per row, no per-value loop. Column
    names enter the source only as repr() string literals."""
    namespace: dict[str, Any] = {}
    parts = []
    for index, name in enumerate(columns):
        value = f"r[{name!r}]"
        convert, null = converters.get(index), nulls.get(index)
        if convert is None and null is None:
            parts.append(value)
            continue
        namespace[f"c{index}"] = convert or (lambda v: v)
        namespace[f"n{index}"] = null
        parts.append(f"(n{index} if (v := {value}) is None else c{index}(v))")
    source = f"def build(rows):\n    return [({', '.join(parts)},) for r in rows]\n"
    exec(compile(source, f"<bulk insert {', '.join(columns)}>", "exec"), namespace)  # noqa: S102
    build: Callable[[Sequence[dict[str, Any]]], list[tuple[Any, ...]]] = namespace["build"]
    return build


async def insert_rows(session: AsyncSession, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert rows that all have the same keys (the first row's) in chunks of CHUNK: SQLite by
    `executemany` of prepared tuples, PostgreSQL (asyncpg) by binary COPY in the session's
    transaction, anything else by a Core insert."""
    if not rows:
        return
    connection = await session.connection()
    dialect = connection.dialect
    for start in range(0, len(rows), CHUNK):
        part = rows[start : start + CHUNK]
        if dialect.name == "sqlite":
            statement, build, _ = _plan(table, tuple(part[0]), dialect)
            await connection.exec_driver_sql(statement, build(part))
        elif dialect.driver == "asyncpg":
            await _copy(connection, table, part)
        else:
            await session.execute(insert(table), part)


async def _copy(connection: AsyncConnection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """COPY ... FROM STDIN (binary) through asyncpg: the values go through the columns' own bind
    processors (so JSON is the same text, money the same Decimal check) and the server parses no
    SQL per row. Database errors come back as SQLAlchemy's (IntegrityError for a constraint)."""
    dialect = connection.dialect
    statement, build, columns = _plan(table, tuple(rows[0]), dialect)
    raw = await connection.get_raw_connection()
    driver: Any = raw.driver_connection
    if not driver.is_in_transaction():
        # SQLAlchemy's asyncpg adapter opens the server-side transaction lazily, on its first
        # statement: COPY first would run outside it and commit on its own.
        await connection.exec_driver_sql("SELECT 1")
    try:
        await driver.copy_records_to_table(
            table.name, records=build(rows), columns=columns, schema_name=table.schema
        )
    except Exception as exc:  # asyncpg's errors: mapped like SQLAlchemy maps a failed execute
        from asyncpg import IntegrityConstraintViolationError, PostgresError

        if isinstance(exc, IntegrityConstraintViolationError):
            raise IntegrityError(statement, None, exc) from exc
        if isinstance(exc, PostgresError):
            raise DatabaseError(statement, None, exc) from exc
        raise
