"""Storing a fee schedule's rows and sealing it: hash, overlap check, fee_schedule.published chunks.

All of it happens inside the caller's unit of work, batch by batch: a refused schedule rolls back
with nothing written, an accepted one commits its rows, its chunk events and its audit entry together.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from accord_common.auth import Principal
from accord_common.events import new_event
from accord_common.uow import UnitOfWork

from contract_registry.adapters.fee_schedule_codec import row_from_db, row_to_json, row_values
from contract_registry.adapters.fee_schedule_repository import BATCH, FeeScheduleRepository
from contract_registry.domain import ContentHasher, FeeScheduleRow, RowError
from contract_registry.handlers.common import SOURCE

CHUNK_ROWS = BATCH
"""Rows per fee_schedule.published event."""

Progress = Callable[[str, int], None]


@dataclass(frozen=True, slots=True)
class SealedSchedule:
    schedule_id: str
    content_hash: str
    row_count: int


def no_progress(_phase: str, _count: int) -> None:
    return None


async def store_rows(
    repo: FeeScheduleRepository, schedule_id: str, numbered: Sequence[tuple[int | None, FeeScheduleRow]]
) -> None:
    await repo.insert_rows([row_values(row, schedule_id, number) for number, row in numbered])


async def overlapping_rows(repo: FeeScheduleRepository, schedule_id: str) -> list[RowError]:
    """Rows for the same code, modifiers, POS and setting whose date ranges overlap."""
    return [
        RowError(
            clash.second_row or 0,
            "effective_from",
            f"the rate's dates overlap row {clash.first_row} for the same code, modifiers, POS and setting",
        )
        for clash in await repo.clashes(schedule_id)
    ]


async def seal(
    uow: UnitOfWork, who: Principal, schedule_id: str, row_count: int, progress: Progress = no_progress
) -> SealedSchedule:
    """Hash the stored rows in canonical order, then publish them as chunk events (same transaction)."""
    repo = FeeScheduleRepository(uow.session, who.organization_id)
    hasher = ContentHasher()
    async for lines in repo.canonical_lines(schedule_id):
        for line in lines:
            hasher.add(line)
    content_hash = hasher.hexdigest()
    await repo.finish(schedule_id, content_hash, row_count)
    chunk_count = max(1, math.ceil(row_count / CHUNK_ROWS))
    index = 0
    async for batch in repo.batches(schedule_id):
        rows = [row_to_json(row_from_db(row)) for row in batch]
        data = {
            "schedule_id": schedule_id,
            "organization_id": who.organization_id,
            "content_hash": content_hash,
            "chunk_index": index,
            "chunk_count": chunk_count,
            "row_count": row_count,
            "rows": rows,
        }
        event = new_event(
            "fee_schedule.published",
            source=SOURCE,
            subject=schedule_id,
            data=data,
            organization_id=who.organization_id,
        )
        uow.publish(event)
        await uow.flush_events()  # chunk by chunk: memory stays flat, rows and events commit together
        index += 1
        progress("published", index * CHUNK_ROWS)
    return SealedSchedule(schedule_id, content_hash, row_count)
