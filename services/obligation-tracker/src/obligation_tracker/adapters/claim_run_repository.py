"""A fetched run of claim events, read and written as a set: one query for the run's claims'
pricings, one for their obligations, one for their waiting parked events; each kind of row written
in bulk (accord_common.bulk), updates as one executemany. handlers/claim_run.py decides what to
write; nothing here knows about events."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from accord_common.bulk import insert_rows
from accord_common.sql_sets import among, on_postgresql, parts, planned_for_their_values
from sqlalchemy import ARRAY, BigInteger, Boolean, Select, bindparam, delete, func, select, text, true, update
from sqlalchemy.ext.asyncio import AsyncSession

from obligation_tracker.adapters.locks import lock_key
from obligation_tracker.adapters.orm import claim_pricings, obligation_history, obligations
from obligation_tracker.adapters.orm import parked_claim_events as parked

_LOCKS = text(
    "SELECT CASE WHEN x THEN pg_advisory_xact_lock(k) ELSE pg_advisory_xact_lock_shared(k) END "
    "FROM unnest(CAST(:keys AS BIGINT[]), CAST(:exclusive AS BOOLEAN[])) AS t(k, x)"
).bindparams(bindparam("keys", type_=ARRAY(BigInteger)), bindparam("exclusive", type_=ARRAY(Boolean)))
OBLIGATION_STATE = (
    "status",
    "due_date",
    "due_at",
    "title",
    "reasons",
    "snoozed_until",
    "description",
    "interest_owed",
    "updated_at",
)


async def hold_all(session: AsyncSession, subjects: dict[str, bool]) -> None:
    """Advisory locks on every subject ({subject: exclusive}) in one statement, in key order (so two
    runs never wait on each other in a circle); PostgreSQL only, like adapters/locks.py."""
    if not subjects or session.get_bind().dialect.name != "postgresql":
        return
    keyed = sorted((lock_key(subject), exclusive) for subject, exclusive in subjects.items())
    await session.execute(_LOCKS, {"keys": [k for k, _ in keyed], "exclusive": [x for _, x in keyed]})


def _as_dicts(result: Any) -> list[dict[str, Any]]:
    """The rows as {column: value}, as `Row._asdict` makes them, with the keys looked up once for
    the result (`_asdict` builds a key view per row: 6% of a run's time)."""
    keys = tuple(result.keys())
    return [dict(zip(keys, row, strict=True)) for row in result]


async def claims_state(
    session: AsyncSession, organization_id: str, claim_ids: Sequence[str], awaiting: Sequence[str]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[Any]]:
    """The claims' pricings, obligations and parked events (`pricings_of`, `obligations_of`,
    `waiting_of`), each planned for these claims (see accord_common.sql_sets)."""
    async with planned_for_their_values(session):
        return (
            await pricings_of(session, organization_id, claim_ids),
            await obligations_of(session, organization_id, claim_ids),
            await waiting_of(session, organization_id, claim_ids, awaiting),
        )


async def pricings_of(
    session: AsyncSession, organization_id: str, claim_ids: Sequence[str]
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    pg = on_postgresql(session)
    for part in parts(claim_ids, pg):
        query = select(claim_pricings).where(
            claim_pricings.c.organization_id == organization_id, among(claim_pricings.c.claim_id, part, pg)
        )
        rows.extend(_as_dicts(await session.execute(query)))
    return rows


async def obligations_of(
    session: AsyncSession, organization_id: str, claim_ids: Sequence[str]
) -> list[dict[str, Any]]:
    """The claims' obligations, locked for update like `ObligationRepository.for_claim`.

    On PostgreSQL each claim's are read by its own lookup (a LATERAL join from the array of ids): an
    organisation and a claim, both equalities of the (organisation, claim) index. As one
    `claim_id = ANY(...)` the plan followed the table's statistics, and a table without any yet (a
    new database, or minutes after a bulk load, before autovacuum analyses it) was read by an
    organisation-only index, filtering every obligation of the organisation on each call: 6-18 ms
    a call against ~2 (docs/benchmarks.md; a table of a few hundred rows may still tie the two)."""
    pg = on_postgresql(session)
    if pg:
        if not claim_ids:
            return []
        return _as_dicts(await session.execute(_each_claims_obligations(organization_id, claim_ids)))
    rows: list[dict[str, Any]] = []
    for part in parts(claim_ids, pg):
        query = select(obligations).where(
            obligations.c.organization_id == organization_id, among(obligations.c.claim_id, part, pg)
        )
        rows.extend(_as_dicts(await session.execute(query.with_for_update())))
    return rows


def _each_claims_obligations(organization_id: str, claim_ids: Sequence[str]) -> Select[Any]:
    wanted = (
        func.unnest(bindparam(None, list(claim_ids), type_=ARRAY(obligations.c.claim_id.type)))
        .table_valued("claim_id")
        .render_derived(name="wanted")
    )
    theirs = (
        select(obligations)
        .where(obligations.c.organization_id == organization_id, obligations.c.claim_id == wanted.c.claim_id)
        .with_for_update()
        .lateral("theirs")
    )
    return select(theirs).select_from(wanted).join(theirs, true())


async def waiting_of(
    session: AsyncSession, organization_id: str, claim_ids: Sequence[str], awaiting: Sequence[str]
) -> list[Any]:
    """The claims' parked events waiting for one of `awaiting`, oldest first, locked for update."""
    rows: list[Any] = []
    pg = on_postgresql(session)
    for part in parts(claim_ids, pg):
        query = (
            select(parked)
            .where(
                parked.c.organization_id == organization_id,
                among(parked.c.claim_id, part, pg),
                parked.c.awaiting.in_(awaiting),
            )
            .with_for_update()
        )
        rows.extend((await session.execute(query)).all())
    return sorted(rows, key=lambda r: (r.parked_at, r.event_id))


async def parked_among(session: AsyncSession, event_ids: Sequence[str]) -> set[str]:
    found: set[str] = set()
    pg = on_postgresql(session)
    for part in parts(event_ids, pg):
        query = select(parked.c.event_id).where(among(parked.c.event_id, part, pg))
        found.update(await session.scalars(query))
    return found


async def write_pricings(
    session: AsyncSession, new: list[dict[str, Any]], changed: list[dict[str, Any]]
) -> None:
    await insert_rows(session, claim_pricings, new)
    if changed:
        statement = update(claim_pricings).where(
            claim_pricings.c.organization_id == bindparam("b_org"),
            claim_pricings.c.claim_id == bindparam("b_claim"),
        )
        await session.execute(
            statement,
            [
                {k: v for k, v in r.items() if k not in ("organization_id", "claim_id")}
                | {"b_org": r["organization_id"], "b_claim": r["claim_id"]}
                for r in changed
            ],
        )


async def write_obligations(
    session: AsyncSession,
    new: list[dict[str, Any]],
    changed: list[dict[str, Any]],
    history: list[dict[str, Any]],
) -> None:
    await insert_rows(session, obligations, new)
    if changed and on_postgresql(session):
        await session.execute(_UPDATE_FROM_ARRAYS, _as_arrays(changed))
    elif changed:
        statement = update(obligations).where(obligations.c.id == bindparam("b_id"))
        await session.execute(
            statement, [{k: r[k] for k in OBLIGATION_STATE} | {"b_id": r["id"]} for r in changed]
        )
    await insert_rows(session, obligation_history, history)


# PostgreSQL: a run's changed obligations in one statement, a column an array (an executemany ran one
# UPDATE a row: half a millisecond of the server's time for each 20 rows)
_ARRAYS = ("id", *OBLIGATION_STATE)  # each bound as one array
_UPDATE_FROM_ARRAYS = text(
    "UPDATE obligations AS o SET status = v.status, due_date = v.due_date, due_at = v.due_at, "
    "title = v.title, reasons = CAST(v.reasons AS JSON), snoozed_until = v.snoozed_until, "
    "description = v.description, interest_owed = v.interest_owed, updated_at = v.updated_at "
    "FROM unnest(CAST(:id AS VARCHAR[]), CAST(:status AS VARCHAR[]), CAST(:due_date AS DATE[]), "
    "CAST(:due_at AS TIMESTAMPTZ[]), CAST(:title AS VARCHAR[]), CAST(:description AS TEXT[]), "
    "CAST(:reasons AS TEXT[]), CAST(:snoozed_until AS TIMESTAMPTZ[]), "
    "CAST(:interest_owed AS NUMERIC[]), CAST(:updated_at AS TIMESTAMPTZ[])) "
    "AS v(id, status, due_date, due_at, title, description, reasons, snoozed_until, interest_owed, "
    "updated_at) WHERE o.id = v.id"
)


def _as_arrays(rows: Sequence[dict[str, Any]]) -> dict[str, list[Any]]:
    """The rows' values a column at a time (reasons as their JSON text)."""
    arrays: dict[str, list[Any]] = {c: [r[c] for r in rows] for c in _ARRAYS if c != "reasons"}
    arrays["reasons"] = [json.dumps(r["reasons"]) for r in rows]
    return arrays


async def write_parked(session: AsyncSession, taken: Sequence[str], new: list[dict[str, Any]]) -> None:
    pg = on_postgresql(session)
    for part in parts(list(taken), pg):
        await session.execute(delete(parked).where(among(parked.c.event_id, part, pg)))
    await insert_rows(session, parked, new)
