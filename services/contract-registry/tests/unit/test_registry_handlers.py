"""The registry's use cases (handlers) without HTTP or a broker: an embedded SQLite database, a
fake principal and a clock the tests set. Each use case commits its change, its audit entry and
its events (to the outbox) together, or nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from accord_common.auth import Principal
from accord_common.db import make_engine, make_session_factory
from accord_common.events import CloudEvent
from accord_common.events.payloads import ContractVersionData
from accord_common.testing.outbox import outbox_events
from accord_common.uow import UnitOfWork
from contract_registry.adapters.contract_cache import DECODED
from contract_registry.adapters.contract_codec import decode_parts
from contract_registry.adapters.contract_repository import ContractRepository
from contract_registry.adapters.orm import audit_log, metadata
from contract_registry.domain import ApprovalsMissing, IllegalTransition, VersionOverlap
from contract_registry.handlers import contracts, drafts, lifecycle, parties, queries
from sqlalchemy import select

ORG = "org-handlers"
NOW = datetime(2026, 3, 1, 9, tzinfo=UTC)
WRITER = Principal("key-1", ORG, "alice@st-mary", frozenset({"contracts:write", "contracts:approve"}))
# segregation of duties: the submitter never approves, each role its own approver
LEGAL = Principal("key-2", ORG, "lee@st-mary", frozenset({"contracts:approve"}))
FINANCE = Principal("key-3", ORG, "fox@st-mary", frozenset({"contracts:approve"}))


class Registry:
    """The database the handlers write to, and what they left in it."""

    def __init__(self, path: Path) -> None:
        self.engine = make_engine(f"sqlite+aiosqlite:///{path}")
        self.sessions = make_session_factory(self.engine)

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.sessions, metadata)

    async def events(self) -> list[CloudEvent]:
        outbox = metadata.tables["outbox"]
        async with self.sessions() as session:
            found = await outbox_events(session, outbox)
        return [CloudEvent.from_bytes(event.payload) for event in found]

    async def audit_actions(self) -> list[str]:
        async with self.sessions() as session:
            return list((await session.scalars(select(audit_log.c.action).order_by(audit_log.c.id))).all())

    async def payer(self, roles: list[str] | None = None) -> str:
        """A payer, and (with roles) an organisation profile requiring those approver roles."""
        payer_id = await parties.create_payer(
            self.uow(), WRITER, {"name": "Acme Health Plan", "x12_payer_id": "60054"}
        )
        if roles:
            await parties.save_profile(
                self.uow(), WRITER, {"name": "St Mary", "required_approver_roles": roles}
            )
        return payer_id


@pytest.fixture
async def registry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Registry]:
    for module in (contracts, drafts, lifecycle, parties, queries):
        monkeypatch.setattr(module, "utcnow", lambda: NOW)
    db = Registry(tmp_path / "registry.db")
    async with db.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    yield db
    await db.engine.dispose()


def command(payer_id: str, **terms: Any) -> dict[str, Any]:
    return {
        "payer_id": payer_id,
        "name": "Acme PPO professional 2026",
        "line_of_business": "commercial",
        "effective_date": "2026-01-01",
        "termination_date": "2027-12-31",
        "notice_days": 90,
        **terms,
    }


async def test_create_writes_a_draft_its_audit_entry_and_contract_created(registry: Registry) -> None:
    contract_id = await contracts.create_contract(registry.uow(), WRITER, command(await registry.payer()))
    async with registry.sessions() as session:
        view = await queries.contract_view(session, ORG, contract_id, None)
    assert (view["status"], view["current_version"], view["version"]["terms"]["notice_days"]) == (
        "draft",
        1,
        90,
    )
    assert await registry.audit_actions() == ["payer.created", "contract.created"]
    [event] = await registry.events()
    data = ContractVersionData.model_validate(event.data)
    assert (event.type, event.subject, data.contract_name, data.payer_name) == (
        "contract.created",
        contract_id,
        "Acme PPO professional 2026",
        "Acme Health Plan",
    )


async def test_amend_adds_a_version_and_a_refused_one_writes_nothing(registry: Registry) -> None:
    contract_id = await contracts.create_contract(registry.uow(), WRITER, command(await registry.payer()))
    await lifecycle.submit_for_review(registry.uow(), WRITER, contract_id)
    await lifecycle.activate(registry.uow(), WRITER, contract_id)
    amendment = {**command("-"), "effective_from": "2026-07-01", "notice_days": 120}
    assert await contracts.add_version(registry.uow(), WRITER, contract_id, amendment) == 2
    with pytest.raises(VersionOverlap, match="2026-05-01"):
        await contracts.add_version(
            registry.uow(), WRITER, contract_id, {**amendment, "effective_from": "2026-05-01"}
        )
    events = await registry.events()
    assert [e.type for e in events][-1] == "contract.amended" and events[-1].data["version"] == 2
    assert (await registry.audit_actions()).count("contract.version_added") == 1
    async with registry.sessions() as session:
        history = await queries.history(session, ORG, contract_id)
    assert [(v["version"], v["effective_to"]) for v in history] == [(1, "2026-06-30"), (2, None)]


async def test_activation_waits_for_every_required_role(registry: Registry) -> None:
    payer_id = await registry.payer(roles=["legal", "finance"])
    contract_id = await contracts.create_contract(registry.uow(), WRITER, command(payer_id))
    await lifecycle.submit_for_review(registry.uow(), WRITER, contract_id)
    await lifecycle.approve(registry.uow(), LEGAL, contract_id, "legal", "indemnity reviewed")
    with pytest.raises(ApprovalsMissing, match="finance"):
        await lifecycle.activate(registry.uow(), WRITER, contract_id)
    assert "contract.activated" not in [e.type for e in await registry.events()]
    await lifecycle.approve(registry.uow(), FINANCE, contract_id, "finance", "")
    assert await lifecycle.activate(registry.uow(), WRITER, contract_id) == "active"
    activated = (await registry.events())[-1]
    assert (activated.type, activated.data["status"], activated.data["version"]) == (
        "contract.activated",
        "active",
        1,
    )
    actions = await registry.audit_actions()
    assert actions[-4:] == [
        "contract.submitted",
        "contract.approved",
        "contract.approved",
        "contract.activated",
    ]


async def test_a_draft_is_revised_in_place_and_only_a_draft(registry: Registry) -> None:
    contract_id = await contracts.create_contract(registry.uow(), WRITER, command(await registry.payer()))
    await drafts.revise_draft(registry.uow(), WRITER, contract_id, {"name": "Redlined", "notice_days": 60})
    revised = (await registry.events())[-1]
    assert (revised.type, revised.data["version"], revised.data["terms"]["notice_days"]) == (
        "contract.amended",
        1,
        60,
    )
    assert revised.data["contract_name"] == "Redlined"
    assert (await registry.audit_actions())[-1] == "contract.revised"
    await lifecycle.submit_for_review(registry.uow(), WRITER, contract_id)
    with pytest.raises(IllegalTransition, match="cannot revise the draft"):
        await drafts.revise_draft(registry.uow(), WRITER, contract_id, {"notice_days": 30})


async def test_what_a_change_leaves_in_the_decoded_cache_is_what_a_fresh_read_decodes(
    registry: Registry,
) -> None:
    """A change reads the contract's versions from the process's cache and puts the state it wrote
    back in it; that state must equal what decoding the stored rows gives, version by version."""
    contract_id = await contracts.create_contract(registry.uow(), WRITER, command(await registry.payer()))
    await contracts.add_version(registry.uow(), WRITER, contract_id, {"effective_from": "2026-04-01"})
    await lifecycle.submit_for_review(registry.uow(), WRITER, contract_id)
    await lifecycle.activate(registry.uow(), WRITER, contract_id)
    for n, day in enumerate(("2026-07-01", "2026-09-01", "2026-11-01")):
        amendment = {"effective_from": day, "notice_days": 100 + n}
        await contracts.add_version(registry.uow(), WRITER, contract_id, amendment)
        async with registry.sessions() as session:
            repo = ContractRepository(session, ORG)
            row = await repo.row(contract_id)
            cached = DECODED.get(row)
            fresh = decode_parts(row, await repo.version_rows(contract_id))
        assert cached is not None and cached == fresh
        assert [v.effective_to for v in fresh[1]][-2:] == [
            datetime.fromisoformat(day).date() - timedelta(days=1),
            None,
        ]
        assert fresh[1][-1].terms.notice_days == 100 + n
    async with registry.sessions() as session:
        history = await queries.history(session, ORG, contract_id)
    assert [(v["version"], v["effective_from"], v["effective_to"]) for v in history] == [
        (1, "2026-01-01", "2026-03-31"),
        (2, "2026-04-01", "2026-06-30"),
        (3, "2026-07-01", "2026-08-31"),
        (4, "2026-09-01", "2026-10-31"),
        (5, "2026-11-01", None),
    ]
