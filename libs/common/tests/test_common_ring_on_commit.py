"""`ring_on_commit`: a repository that has only the session asks for a wake-up, and the unit of work
rings it after its commit (this process at once; PostgreSQL's NOTIFY is test_wakeups_pg_kafka's), never
after a rollback, and once: the next transaction on the session starts with nothing asked."""

from __future__ import annotations

from pathlib import Path

from accord_common.db import make_engine, make_session_factory, new_metadata
from accord_common.tables import add_infra_tables
from accord_common.uow import UnitOfWork
from accord_common.wakeups import Wakeups, ring_on_commit

metadata = new_metadata()
add_infra_tables(metadata)


async def test_a_ring_asked_through_the_session_sounds_after_commit_only(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path}/rings.db")
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    wakeups, heard = Wakeups("ring-test"), list[str]()
    wakeups.on("contracts", lambda: heard.append("contracts"))
    wakeups.start(f"sqlite+aiosqlite:///{tmp_path}/rings.db")
    assert wakeups.reach_every_process()  # SQLite is one process: its own rings are all there are
    uow = UnitOfWork(make_session_factory(engine), metadata, wakeups=wakeups)
    try:
        async with uow:
            ring_on_commit(uow.session, "contracts")
            assert heard == []  # not before the commit
            await uow.commit()
        assert heard == ["contracts"]
        async with uow:
            ring_on_commit(uow.session, "contracts")
            await uow.rollback()
            await uow.commit()  # the same unit of work, nothing asked since the rollback
        assert heard == ["contracts"]
        async with uow:
            ring_on_commit(uow.session, "contracts")
        assert heard == ["contracts"]  # left without committing: rolled back, nobody woken
    finally:
        await engine.dispose()


def test_a_listener_on_postgresql_reaches_every_process_only_while_it_listens() -> None:
    wakeups = Wakeups("ring-test")
    assert not wakeups.reach_every_process()  # not started: a cache must not trust it yet
    wakeups.listening.set()
    assert wakeups.reach_every_process()
    wakeups.listening.clear()  # the connection dropped: rings from other workers are missed
    assert not wakeups.reach_every_process()
