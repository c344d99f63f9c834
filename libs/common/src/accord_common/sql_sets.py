"""`column IN (values)` for a run's worth of ids, as each database takes it best.

On PostgreSQL `column = ANY(:values)`: one bound array, so the statement, its compiled form and
asyncpg's prepared statement are the same whatever the number of values. An IN list rendered a
bind per value on every execution and was a new statement (compiled, prepared and planned anew) for
each length: in the tracker's consumer 6% of its CPU, before PostgreSQL's own parsing of the list.
SQLite keeps IN, in parts of `SQLITE_PART` values (under its bound-variable limit).

The array's length is unknown to a generic plan: after five executions of a prepared statement
PostgreSQL may plan it once for any array, and it did (an organisation's obligations scanned for a
run's claims: ten times the database's CPU a run). Reads where another index could be chosen go
inside `planned_for_their_values` (two statements around them); a lookup by primary key (the inbox)
needs none. Not for a whole transaction: a run's other large statements keep the generic plans
PostgreSQL reuses for them rather than being planned again on every run (docs/benchmarks.md)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import ARRAY, any_, bindparam, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

SQLITE_PART = 1000
_CUSTOM_PLANS = text("SET LOCAL plan_cache_mode = force_custom_plan")
_DEFAULT_PLANS = text("SET LOCAL plan_cache_mode TO DEFAULT")


def on_postgresql(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def parts(values: Sequence[Any], postgresql: bool) -> Iterator[list[Any]]:
    """`values` in one part on PostgreSQL (one array), in parts of SQLITE_PART elsewhere."""
    if postgresql:
        if values:
            yield list(values)
        return
    for start in range(0, len(values), SQLITE_PART):
        yield list(values[start : start + SQLITE_PART])


def among(column: ColumnElement[Any], values: Sequence[Any], postgresql: bool) -> ColumnElement[bool]:
    """`column` is one of `values` (a part from `parts`)."""
    if postgresql:
        return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
    return column.in_(values)


@asynccontextmanager
async def planned_for_their_values(session: AsyncSession) -> AsyncIterator[None]:
    """The statements run inside are planned for their own values (PostgreSQL; nothing elsewhere),
    and only they: the transaction's other statements keep the default."""
    if not on_postgresql(session):
        yield
        return
    await session.execute(_CUSTOM_PLANS)
    yield
    await session.execute(_DEFAULT_PLANS)
