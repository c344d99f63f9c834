"""What an amendment sends to the database: statements built once with values bound per call write
the same rows as statements built on every call, and an amendment sends no statement whose answer
is in hand (the contract's row read again for its name, a delete when no version is withdrawn)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from accord_common.auth import Principal
from accord_common.db import make_engine, make_session_factory
from accord_common.events import CloudEvent
from accord_common.testing.outbox import outbox_events
from accord_common.uow import UnitOfWork
from contract_registry.adapters.audit_repository import AuditEntry, AuditRepository
from contract_registry.adapters.contract_repository import ContractRepository
from contract_registry.adapters.orm import audit_log, contract_versions, contracts, metadata
from contract_registry.handlers import contracts as contract_handlers
from contract_registry.handlers import future_versions, lifecycle, parties, queries
from sqlalchemy import event, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

ORG = "org-statements"
NOW = datetime(2026, 3, 1, 9, tzinfo=UTC)
WRITER = Principal("key-1", ORG, "alice@st-mary", frozenset({"contracts:write", "contracts:approve"}))


class Db:
    def __init__(self, path: Path) -> None:
        self.engine: AsyncEngine = make_engine(f"sqlite+aiosqlite:///{path}")
        self.sessions = make_session_factory(self.engine)

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.sessions, metadata)

    @contextmanager
    def statements(self) -> Iterator[list[str]]:
        """The SQL sent while the block runs, one line each."""
        sent: list[str] = []

        def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            sent.append(" ".join(statement.split()))

        event.listen(self.engine.sync_engine, "before_cursor_execute", record)
        try:
            yield sent
        finally:
            event.remove(self.engine.sync_engine, "before_cursor_execute", record)

    async def rows(self, query: Any) -> list[dict[str, Any]]:
        async with self.sessions() as session:
            return [dict(row._mapping) for row in (await session.execute(query)).all()]


@pytest.fixture
async def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Db]:
    for module in (contract_handlers, future_versions, lifecycle, parties, queries):
        monkeypatch.setattr(module, "utcnow", lambda: NOW)
    registry = Db(tmp_path / "registry.db")
    async with registry.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    yield registry
    await registry.engine.dispose()


async def active_contract(db: Db) -> str:
    payer_id = await parties.create_payer(
        db.uow(), WRITER, {"name": "Acme Health Plan", "x12_payer_id": "60054"}
    )
    command = {
        "payer_id": payer_id,
        "name": "Acme PPO professional 2026",
        "line_of_business": "commercial",
        "effective_date": "2026-01-01",
        "termination_date": "2027-12-31",
        "notice_days": 90,
    }
    contract_id = await contract_handlers.create_contract(db.uow(), WRITER, command)
    await lifecycle.submit_for_review(db.uow(), WRITER, contract_id)
    await lifecycle.activate(db.uow(), WRITER, contract_id)
    return contract_id


def _starting(sent: list[str], *prefixes: str) -> list[str]:
    return [s for s in sent if s.startswith(prefixes)]


async def test_an_amendment_reads_the_contract_once_and_deletes_nothing(db: Db) -> None:
    contract_id = await active_contract(db)
    with db.statements() as sent:
        number = await contract_handlers.add_version(
            db.uow(), WRITER, contract_id, {"effective_from": "2026-07-01", "notice_days": 120}
        )
    assert number == 2
    assert len(_starting(sent, "SELECT contracts.")) == 1  # the read under lock, not again for the name
    assert _starting(sent, "DELETE") == []
    assert len(_starting(sent, "INSERT INTO contract_versions")) == 1
    assert len(_starting(sent, "UPDATE contract_versions")) == 1  # the version before it ends
    assert len(_starting(sent, "INSERT INTO audit_log")) == 1
    async with db.sessions() as session:
        outbox = metadata.tables["outbox"]
        payloads = [e.payload for e in await outbox_events(session, outbox)]
    amended = CloudEvent.from_bytes(payloads[-1])
    assert (amended.type, amended.data["contract_name"], amended.data["payer_name"]) == (
        "contract.amended",
        "Acme PPO professional 2026",
        "Acme Health Plan",
    )
    stored = await db.rows(select(contract_versions).order_by(contract_versions.c.number))
    assert [(r["number"], str(r["effective_to"]), r["proposed"], r["created_by"]) for r in stored] == [
        (1, "2026-06-30", False, "alice@st-mary"),
        (2, "None", False, "alice@st-mary"),
    ]
    [row] = await db.rows(select(contracts))
    assert (row["current_version"], row["updated_at"].replace(tzinfo=UTC)) == (2, NOW)


async def test_a_withdrawn_version_still_loses_its_row(db: Db) -> None:
    contract_id = await active_contract(db)
    await contract_handlers.add_version(
        db.uow(), WRITER, contract_id, {"effective_from": "2026-07-01", "notice_days": 120}
    )
    with db.statements() as sent:
        await future_versions.withdraw_version(db.uow(), WRITER, contract_id, 2, "entered in error")
    assert len(_starting(sent, "DELETE FROM contract_versions")) == 1
    stored = await db.rows(select(contract_versions.c.number, contract_versions.c.effective_to))
    assert stored == [{"number": 1, "effective_to": None}]


async def test_the_name_is_the_one_read_under_lock_or_saved(db: Db) -> None:
    contract_id = await active_contract(db)
    async with db.uow() as uow:
        repo = ContractRepository(uow.session, ORG)
        assert await repo.name(contract_id) == "Acme PPO professional 2026"  # not locked: read
        contract = await repo.get(contract_id, for_update=True)
        with db.statements() as sent:
            assert await repo.name(contract_id) == "Acme PPO professional 2026"
        assert sent == []
        await repo.save(contract, actor="alice", now=NOW, name="Acme PPO 2026 (renamed)")
        assert await repo.name(contract_id) == "Acme PPO 2026 (renamed)"
        assert (await repo.row(contract_id)).name == "Acme PPO 2026 (renamed)"


async def test_an_audit_entry_is_the_row_a_statement_built_per_call_writes(db: Db) -> None:
    entry = AuditEntry(
        actor="alice@st-mary",
        action="contract.version_added",
        entity="contract",
        entity_id="C-1",
        changes={"version": 2, "fields": {"notice_days": {"old": 90, "new": 120}}},
        at=NOW,
        contract_id="C-1",
        comment=None,
        actor_key_id="key-1",
    )
    async with db.uow() as uow:
        await AuditRepository(uow.session, ORG).append(entry)
        await uow.session.execute(
            insert(audit_log).values(
                organization_id=ORG,
                contract_id=entry.contract_id,
                entity=entry.entity,
                entity_id=entry.entity_id,
                actor=entry.actor,
                actor_key_id=entry.actor_key_id,
                action=entry.action,
                at=entry.at,
                changes=entry.changes,
                comment=entry.comment,
            )
        )
        await uow.commit()
    prebuilt, per_call = await db.rows(select(audit_log).order_by(audit_log.c.id))
    assert {**prebuilt, "id": None} == {**per_call, "id": None}
    assert prebuilt["changes"] == entry.changes
