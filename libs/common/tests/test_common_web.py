"""problem+json, API keys and the Money column, without a server or broker."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest
from accord_common.auth import Principal, generate_key, hash_key, split_key
from accord_common.db import Money, canonical_money, make_engine, new_metadata
from accord_common.errors import Forbidden, NotFound, Unauthorized
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Column, Integer, Table, insert, select
from sqlalchemy.dialects import postgresql, sqlite


def test_problem_body_follows_rfc_9457() -> None:
    body = NotFound("contract c-9 not found").to_dict(instance="/v1/contracts/c-9")
    assert body == {
        "type": "https://accord.dev/problems/not-found",
        "title": "Not found",
        "status": 404,
        "detail": "contract c-9 not found",
        "instance": "/v1/contracts/c-9",
    }


@pytest.mark.parametrize("raw", ["", "acc_", "acc__x", "bearer x", "acc_p", "xyz_p_s"])
def test_malformed_keys_are_unauthorized(raw: str) -> None:
    with pytest.raises(Unauthorized):
        split_key(raw)


def test_generated_keys_are_random_and_hashed() -> None:
    prefix, raw = generate_key()
    _, other = generate_key()
    assert raw != other
    assert split_key(raw) == prefix
    for _ in range(300):  # secrets may contain '_' themselves
        p, k = generate_key()
        assert split_key(k) == p
    assert len(hash_key(raw)) == 64
    assert hash_key(raw) != raw


def test_scopes_are_enforced_and_admin_has_all() -> None:
    reader = Principal("k", "org", "reader", frozenset({"contracts:read"}))
    reader.require("contracts:read")
    with pytest.raises(Forbidden, match="contracts:write"):
        reader.require("contracts:write")
    Principal("k", "org", "root", frozenset({"admin"})).require("contracts:write")


async def test_money_is_exact_on_sqlite(tmp_path: Path) -> None:
    metadata = new_metadata()
    table = Table("t", metadata, Column("id", Integer, primary_key=True), Column("amount", Money()))
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'm.db'}")
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
        await conn.execute(
            insert(table),
            [{"id": 1, "amount": Decimal("0.10")}, {"id": 2, "amount": Decimal("123456789.123456")}],
        )
        rows = (await conn.execute(select(table.c.amount).order_by(table.c.id))).scalars().all()
    await engine.dispose()
    assert [str(r) for r in rows] == ["0.10", "123456789.123456"]


async def test_money_refuses_floats(tmp_path: Path) -> None:
    metadata = new_metadata()
    table = Table("t", metadata, Column("id", Integer, primary_key=True), Column("amount", Money()))
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'f.db'}")
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
        with pytest.raises(Exception, match="Decimal"):
            await conn.execute(insert(table).values(id=1, amount=0.1))
    await engine.dispose()


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("150.000000", "150.00"),
        ("1E+2", "100.00"),
        ("0.1", "0.10"),
        ("88.95", "88.95"),
        ("0.123456", "0.123456"),
        ("120", "120.00"),
        ("-28.950000", "-28.95"),
        ("0", "0.00"),
    ],
)
def test_money_reads_back_the_same_on_every_database(stored: str, shown: str) -> None:
    assert str(canonical_money(Decimal(stored))) == shown


def _canonical_by_definition(value: Decimal) -> Decimal:
    """canonical_money as first written: normalized, at least cents."""
    normal = value.normalize()
    exponent = normal.as_tuple().exponent
    return normal.quantize(Decimal("0.01")) if isinstance(exponent, int) and exponent > -2 else normal


def _outcome(read: Callable[[], Decimal | None]) -> str:
    try:
        return str(read())
    except InvalidOperation:  # beyond the context's 28 digits: the rule refuses, so must the shortcut
        return "InvalidOperation"


@settings(max_examples=3000, deadline=None)
@given(
    st.decimals(allow_nan=False, allow_infinity=False, places=6, min_value=-(10**12), max_value=10**12)
    | st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-(10**12), max_value=10**12)
    | st.decimals(allow_nan=False, allow_infinity=False)
)
def test_money_read_shortcuts_give_the_canonical_decimal(value: Decimal) -> None:
    """The read path's shortcuts (cents text taken as is, a Decimal quantized when it has no digits
    past the cents) give the same Decimal, digit for digit, as the rule they shortcut, whatever a
    database hands back: SQLite's text, PostgreSQL's Decimal."""
    expected = _outcome(lambda: _canonical_by_definition(value))
    assert _outcome(lambda: canonical_money(value)) == expected
    money = Money()
    for dialect in (sqlite.dialect(), postgresql.dialect()):
        assert _outcome(lambda: money.process_result_value(str(value), dialect)) == expected
        assert _outcome(lambda: money.process_result_value(value, dialect)) == expected


@pytest.mark.parametrize("text", ["150.00", "-28.95", "0.00", "-0.00", "1.5", "1E+2", "-.12", "12.3e1"])
def test_money_reads_cents_text_as_the_rule_does(text: str) -> None:
    assert str(Money().process_result_value(text, sqlite.dialect())) == str(
        _canonical_by_definition(Decimal(text))
    )
