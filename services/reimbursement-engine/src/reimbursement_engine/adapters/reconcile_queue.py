"""A stored 835's claims still to reconcile (`reconcile_queue`) and its file's reconciliation state.

Every method runs in the caller's transaction. A chunk is read with `peek` and taken out with
`remove` only once reconciled, at the end of its transaction, which then writes the file's row
(`hold`, `record`): the write lock of SQLite (one writer a database) is held for the writes alone,
not while the chunk is read and computed, so the relay gets its turn between chunks. Two
transactions that peeked the same chunk (the upload's and a sweeper's) cannot both keep it: the
second to remove it finds it gone and rolls back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from accord_common.bulk import insert_rows
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from reimbursement_engine.adapters.orm import reconcile_queue, remittance_files

RECONCILING, RECONCILED = "reconciling", "reconciled"


@dataclass(frozen=True)
class FileReconciliation:
    """Where a stored file's reconciliation stands."""

    file_id: str
    status: str
    claims_to_reconcile: int
    claims_reconciled: int
    classifications: dict[str, int] = field(default_factory=dict)
    progress_at: datetime | None = None
    reconciled_at: datetime | None = None


class ReconcileQueue:
    def __init__(self, session: AsyncSession, organization_id: str) -> None:
        self.session = session
        self.org = organization_id

    async def enqueue(self, file_id: str, claim_ids: Sequence[str], now: datetime) -> None:
        """The file's claims to reconcile, in order; the file "reconciling" (or "reconciled" when
        none was paid)."""
        rows = [
            {"file_id": file_id, "position": i, "organization_id": self.org, "claim_id": claim_id}
            for i, claim_id in enumerate(claim_ids)
        ]
        await insert_rows(self.session, reconcile_queue, rows)
        values: dict[str, Any] = {
            "reconcile_status": RECONCILING if claim_ids else RECONCILED,
            "claims_to_reconcile": len(claim_ids),
            "claims_reconciled": 0,
            "classifications": {},
            "progress_at": now,
            "reconciled_at": None if claim_ids else now,
        }
        await self.session.execute(_file(file_id, self.org).values(**values))

    async def hold(self, file_id: str, now: datetime) -> bool:
        """Lock the file's row (by writing its progress time); False when there is no such file."""
        done = await self.session.execute(_file(file_id, self.org).values(progress_at=now))
        return bool(getattr(done, "rowcount", 0))

    async def peek(self, file_id: str, count: int) -> list[tuple[int, str]]:
        """The next `count` (position, claim) of the file's queue, left in it (see `remove`)."""
        rows = await self.session.execute(
            select(reconcile_queue.c.position, reconcile_queue.c.claim_id)
            .where(reconcile_queue.c.file_id == file_id, reconcile_queue.c.organization_id == self.org)
            .order_by(reconcile_queue.c.position)
            .limit(count)
        )
        return [(row.position, row.claim_id) for row in rows]

    async def remove(self, file_id: str, taken: list[tuple[int, str]]) -> bool:
        """Take `peek`'s rows out of the queue; False (nothing to keep) when another transaction
        took them first and committed (PostgreSQL waits for it and finds them gone; SQLite refuses the
        write with an error instead, which rolls the transaction back all the same)."""
        if not taken:
            return True
        done = await self.session.execute(
            delete(reconcile_queue).where(
                reconcile_queue.c.file_id == file_id,
                reconcile_queue.c.position.between(taken[0][0], taken[-1][0]),
            )
        )
        return getattr(done, "rowcount", -1) == len(taken)

    async def record(
        self, file_id: str, reconciled: int, classifications: Mapping[str, int], now: datetime
    ) -> FileReconciliation:
        """Add a chunk's figures to the held file; "reconciled" once its queue is empty."""
        row = (await self.session.execute(_columns().where(_key(file_id, self.org)))).one()
        counts = dict(row.classifications or {})
        for name, count in classifications.items():
            counts[name] = counts.get(name, 0) + count
        left = await self.session.scalar(
            select(reconcile_queue.c.position).where(reconcile_queue.c.file_id == file_id).limit(1)
        )
        state = replace(
            _state(row._asdict()),
            claims_reconciled=row.claims_reconciled + reconciled,
            classifications=counts,
            progress_at=now,
        )
        if left is None:
            state = replace(state, status=RECONCILED, reconciled_at=now)
        await self.session.execute(
            _file(file_id, self.org).values(
                reconcile_status=state.status,
                claims_reconciled=state.claims_reconciled,
                classifications=state.classifications,
                progress_at=now,
                reconciled_at=state.reconciled_at,
            )
        )
        return state

    async def state(self, file_id: str) -> FileReconciliation | None:
        row = (await self.session.execute(_columns().where(_key(file_id, self.org)))).first()
        return None if row is None else _state(row._asdict())


async def stalled_files(session: AsyncSession, before: datetime, limit: int) -> list[tuple[str, str]]:
    """(organisation, file) of files still reconciling with no progress since `before`, oldest
    first: their upload's process stopped (or stalls); every organisation's (the sweeper's read)."""
    rows = await session.execute(
        select(remittance_files.c.organization_id, remittance_files.c.id)
        .where(remittance_files.c.reconcile_status == RECONCILING, remittance_files.c.progress_at < before)
        .order_by(remittance_files.c.progress_at)
        .limit(limit)
    )
    return [(row.organization_id, row.id) for row in rows]


def _key(file_id: str, org: str) -> Any:
    return (remittance_files.c.id == file_id) & (remittance_files.c.organization_id == org)


def _file(file_id: str, org: str) -> Any:
    return update(remittance_files).where(_key(file_id, org))


def _columns() -> Any:
    c = remittance_files.c
    return select(
        c.id.label("file_id"),
        c.reconcile_status.label("status"),
        c.claims_to_reconcile,
        c.claims_reconciled,
        c.classifications,
        c.progress_at,
        c.reconciled_at,
    )


def _state(row: Mapping[str, Any]) -> FileReconciliation:
    return FileReconciliation(
        file_id=row["file_id"],
        status=row["status"],
        claims_to_reconcile=row["claims_to_reconcile"],
        claims_reconciled=row["claims_reconciled"],
        classifications=dict(row["classifications"] or {}),
        progress_at=row["progress_at"],
        reconciled_at=row["reconciled_at"],
    )
