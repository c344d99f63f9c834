"""Bulk updates by key: one statement for a whole batch of rows, without SQLAlchemy's per-row
parameter processing.

`update_rows(session, table, keys, rows)` sets every non-key column of each row (all rows have the
same keys) on the table's row whose `keys` columns equal the row's. The values are converted as
`bulk.insert_rows` converts them (the columns' own bind processors, or the cheaper converters that
store exactly the same):

- PostgreSQL (asyncpg): ONE `UPDATE ... FROM unnest($1::type[], $2::type[], ...) AS v(...)` per
  5,000 rows, each column's values one array parameter (asyncpg encodes arrays in C; the server
  plans one statement instead of one per row). JSON goes as text and is cast back in the SET.
- SQLite: `executemany` of one prepared `UPDATE ... WHERE key = ?` with plain tuples.
- anything else: a Core `update()` executed for all rows (SQLAlchemy's executemany).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import JSON, Table, Update, bindparam, update
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from accord_common.bulk import CHUNK, Converter, _converter, _null_value, _tuple_builder

_Plan = tuple[str, Any]
_plans: dict[tuple[str, str, tuple[str, ...], tuple[str, ...]], _Plan] = {}


async def update_rows(
    session: AsyncSession, table: Table, keys: Sequence[str], rows: Sequence[dict[str, Any]]
) -> None:
    """For each row (the same keys in every row, the first row's), set its other columns on the
    table's row matched by `keys`. A row that matches nothing changes nothing."""
    if not rows:
        return
    key_columns = tuple(keys)
    set_columns = tuple(name for name in rows[0] if name not in key_columns)
    if not set_columns:
        raise ValueError("update_rows needs at least one column to set besides the keys")
    connection = await session.connection()
    dialect = connection.dialect
    for start in range(0, len(rows), CHUNK):
        part = rows[start : start + CHUNK]
        if dialect.name == "sqlite":
            statement, build = _plan(table, set_columns, key_columns, dialect)
            await connection.exec_driver_sql(statement, build(part))
        elif dialect.driver == "asyncpg":
            await _unnest(connection, table, set_columns, key_columns, part)
        else:
            await _core(session, table, set_columns, key_columns, part)


def _plan(table: Table, set_columns: tuple[str, ...], keys: tuple[str, ...], dialect: Dialect) -> _Plan:
    """The statement and the function turning row dicts into its positional parameter tuples,
    made once per table, columns and dialect."""
    plan = _plans.get((dialect.name, table.name, set_columns, keys))
    if plan is not None:
        return plan
    if dialect.name == "sqlite":
        compiled = _core_update(table, set_columns, keys).compile(dialect=dialect)
        columns = tuple(name.removeprefix("b_") for name in compiled.positiontup or ())
        statement = str(compiled)
    else:
        columns = set_columns + keys
        statement = _unnest_statement(table, set_columns, keys, dialect)
    types = [table.c[name].type for name in columns]
    converters: dict[int, Converter] = {
        i: c for i, t in enumerate(types) if (c := _converter(t, dialect)) is not None
    }
    nulls = {i: n for i, t in enumerate(types) if (n := _null_value(t, dialect)) is not None}
    plan = (statement, _tuple_builder(columns, converters, nulls))
    _plans[(dialect.name, table.name, set_columns, keys)] = plan
    return plan


def _unnest_statement(
    table: Table, set_columns: tuple[str, ...], keys: tuple[str, ...], dialect: Dialect
) -> str:
    """UPDATE ... FROM unnest($1::type[], ...): identifiers quoted by the dialect, every value a
    parameter (one array per column)."""
    quote = dialect.identifier_preparer.quote
    columns = set_columns + keys
    arrays = []
    for number, column in enumerate(columns, 1):
        column_type = table.c[column].type
        sql_type = "text" if isinstance(column_type, JSON) else column_type.compile(dialect=dialect)
        arrays.append(f"${number}::{sql_type}[]")
    assignments = ", ".join(
        f"{quote(c)} = v.{quote(c)}" + ("::json" if isinstance(table.c[c].type, JSON) else "")
        for c in set_columns
    )
    match = " AND ".join(f"t.{quote(k)} = v.{quote(k)}" for k in keys)
    name = dialect.identifier_preparer.format_table(table)
    aliases = ", ".join(quote(c) for c in columns)
    source = f"unnest({', '.join(arrays)}) AS v({aliases})"
    return f"UPDATE {name} AS t SET {assignments} FROM {source} WHERE {match}"  # noqa: S608


async def _unnest(
    connection: AsyncConnection,
    table: Table,
    set_columns: tuple[str, ...],
    keys: tuple[str, ...],
    rows: Sequence[dict[str, Any]],
) -> None:
    statement, build = _plan(table, set_columns, keys, connection.dialect)
    by_column = [list(values) for values in zip(*build(rows), strict=True)]
    await connection.exec_driver_sql(statement, tuple(by_column))


async def _core(
    session: AsyncSession,
    table: Table,
    set_columns: tuple[str, ...],
    keys: tuple[str, ...],
    rows: Sequence[dict[str, Any]],
) -> None:
    statement = _core_update(table, set_columns, keys)
    await session.execute(statement, [{f"b_{k}": v for k, v in row.items()} for row in rows])


def _core_update(table: Table, set_columns: tuple[str, ...], keys: tuple[str, ...]) -> Update:
    return (
        update(table)
        .where(*[table.c[k] == bindparam(f"b_{k}") for k in keys])
        .values({c: bindparam(f"b_{c}") for c in set_columns})
    )
