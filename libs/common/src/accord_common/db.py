"""Async engines and sessions for PostgreSQL (asyncpg) and SQLite (aiosqlite)."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation, getcontext
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, Dialect, MetaData, Numeric, String, event, exc
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import NullPool
from sqlalchemy.types import TypeDecorator, TypeEngine

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_metadata() -> MetaData:
    """A MetaData with stable constraint names, so Alembic migrations are deterministic."""
    return MetaData(naming_convention=NAMING_CONVENTION)


class Money(TypeDecorator[Decimal]):
    """Exact decimal on both databases: NUMERIC on PostgreSQL, canonical text on SQLite.

    SQLite's NUMERIC affinity stores floats, so amounts would lose cents; text keeps them exact.
    """

    impl = Numeric(18, 6)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(40))
        return dialect.type_descriptor(Numeric(18, 6, asdecimal=True))

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if not isinstance(value, Decimal):
            raise TypeError(f"Money columns take Decimal, got {type(value).__name__}")
        return str(value) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if type(value) is str:
            if _is_cents_text(value):  # what this type writes for most amounts: already canonical
                return Decimal(value)
            return canonical_money(Decimal(value))
        return canonical_money(value if type(value) is Decimal else Decimal(str(value)))


_CENTS = Decimal("0.01")


def canonical_money(value: Decimal) -> Decimal:
    """The same Decimal whatever the database: at least cents, no trailing zeros past them, never
    exponent notation (PostgreSQL's NUMERIC(18,6) gives 150.000000, SQLite text gives 150.00;
    both read back as 150.00, and 0.123456 stays 0.123456)."""
    if value.is_finite():
        try:
            cents = value.quantize(_CENTS)
        except InvalidOperation:  # more digits than the context holds: the general rule below
            pass
        else:
            if cents == value:  # no digits past the cents (most amounts): cents it is
                return cents
    normal = value.normalize()
    exponent = normal.as_tuple().exponent
    if isinstance(exponent, int) and exponent > -2:
        return normal.quantize(_CENTS)
    return normal


def _is_cents_text(text: str) -> bool:
    """`-?digits.dd` within the context's precision: a Decimal read from it is already canonical
    (longer, the rule refuses it as `canonical_money` does; hypothesis found a 33-digit one)."""
    unsigned = text.removeprefix("-")
    return (
        3 < len(unsigned) <= getcontext().prec + 1
        and unsigned[-3] == "."
        and unsigned[-2:].isdigit()
        and unsigned[:-3].isdigit()
    )


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


class UtcSQLiteDateTime(sqlite.DATETIME):
    """SQLite keeps no UTC offset: `DateTime(timezone=True)` columns store UTC wall time and read
    back as aware UTC datetimes, as they do on PostgreSQL (an API never shows a naive time)."""

    cache_ok = True

    def bind_processor(self, dialect: Dialect) -> Any:
        parent = super().bind_processor(dialect)

        def process(value: Any) -> Any:
            if isinstance(value, datetime) and value.tzinfo is not None:
                value = value.astimezone(UTC)
            return parent(value) if parent else value

        return process

    def result_processor(self, dialect: Dialect, coltype: object) -> Any:
        parent = super().result_processor(dialect, coltype)

        def process(value: Any) -> Any:
            moment = parent(value) if parent else value
            if self.timezone and isinstance(moment, datetime) and moment.tzinfo is None:
                return moment.replace(tzinfo=UTC)
            return moment

        return process


def make_engine(url: str, *, echo: bool = False, null_pool: bool = False) -> AsyncEngine:
    """Create an engine; SQLite gets WAL, foreign keys, a busy timeout and UTC-aware datetimes."""
    if null_pool:
        engine = create_async_engine(url, echo=echo, poolclass=NullPool, connect_args=_server_settings(url))
        if is_sqlite(url):
            _prepare_sqlite(engine)
        return engine
    if is_sqlite(url):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, echo=echo, connect_args={"timeout": 30})
        _prepare_sqlite(engine)
        return engine
    # 20 kept: with 16 requests in flight a worker (32 clients on 2 workers), a pool of 10 opened and
    # closed an overflow connection for every sixth request (a TLS attempt, a PostgreSQL backend
    # forked); as-of reads went from 1,157 to 1,508 req/s and p99 172 -> 42 ms (docs/benchmarks.md)
    engine = create_async_engine(
        url, echo=echo, pool_size=20, max_overflow=10, connect_args=_server_settings(url)
    )
    event.listen(engine.sync_engine.pool, "checkin", _note_checkin)
    event.listen(engine.sync_engine.pool, "checkout", _ping_if_idle)
    return engine


# PostgreSQL's JIT off for every session. It compiles a statement whose estimated cost passes
# jit_above_cost, and a join of two CTEs is estimated as their product: the worklist's sums of
# 10,000 variances, once ANALYZE had counted them, spent 470 ms compiling a 60 ms query (530 ms an
# answer against 60 without; docs/benchmarks.md). These services run short statements on indexed
# rows, where compiling never pays.
SERVER_SETTINGS = {"jit": "off"}


def _server_settings(url: str) -> dict[str, Any]:
    return {"server_settings": dict(SERVER_SETTINGS)} if make_url(url).drivername.endswith("+asyncpg") else {}


IDLE_PING_S = 5.0
"""A pooled connection idle longer than this is pinged before it is handed out."""


def _note_checkin(_dbapi_connection: Any, record: Any) -> None:
    if record is not None:
        record.info["checked_in_at"] = time.monotonic()


def _ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    """SQLAlchemy's pool_pre_ping, only for a connection idle for IDLE_PING_S: on asyncpg a ping is
    three round trips (BEGIN, a query, ROLLBACK), more than a short read itself, so a connection in
    steady use is handed out as it is. A dead one (the server restarted, a network cut) is replaced
    here, and the pool is renewed as a whole (SQLAlchemy's disconnect handling) by the first
    statement that finds its connection gone."""
    checked_in_at = record.info.get("checked_in_at")
    if checked_in_at is None or time.monotonic() - checked_in_at < IDLE_PING_S:
        return
    try:
        dbapi_connection.ping()
    except Exception as error:
        raise exc.DisconnectionError("the pooled connection did not answer a ping") from error


def _prepare_sqlite(engine: AsyncEngine) -> None:
    event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    dialect = engine.dialect
    dialect.colspecs = {**dialect.colspecs, DateTime: UtcSQLiteDateTime}


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")  # WAL: durable at checkpoints; never corrupt
    # 8 MiB of page cache a connection: a 20 MiB 835 upload (one write transaction) filled 64 MiB and
    # peaked at 252 MiB of engine RSS (190 MiB with 8); pricing and ingest measured no slower
    # (docs/benchmarks.md, "A large 835 upload streams")
    cursor.execute("PRAGMA cache_size=-8192")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def make_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


def make_read_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions for reads that need no transaction: each statement commits on its own (AUTOCOMMIT),
    so a one-query read is one round trip, not BEGIN, the query and ROLLBACK. Each statement sees
    what was committed when it began, as under READ COMMITTED (PostgreSQL's default) anyway.
    SQLite keeps its transactions (pysqlite's autocommit differs; one process, no network)."""
    if engine.dialect.name != "postgresql":
        return make_session_factory(engine)
    reads = engine.execution_options(isolation_level="AUTOCOMMIT")
    return async_sessionmaker(reads, expire_on_commit=False, autoflush=False)
