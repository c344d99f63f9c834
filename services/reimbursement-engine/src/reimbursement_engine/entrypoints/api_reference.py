"""Loading Medicare reference files over HTTP (admin scope): the body is the file as CMS publishes
it; the answer is the report of rows read and refused, with reasons."""

from __future__ import annotations

from typing import Annotated, Any

from accord_common.auth import Principal
from accord_common.errors import NotFound, Unprocessable
from accord_common.web.deps import Requires, Runtime
from accord_common.web.types import IsoDate
from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel

from reimbursement_engine.domain.pricing.schedule_files import ScheduleFileError
from reimbursement_engine.domain.pricing.schedule_releases import PARTS
from reimbursement_engine.domain.pricing.schedules import Basis
from reimbursement_engine.entrypoints.deps import Caches, read_limited
from reimbursement_engine.handlers.reference import PFS_PARTS, load_schedule_file

router = APIRouter(prefix="/v1/reference", tags=["reference data"])
_LIMIT = 64 * 1024 * 1024  # the largest CMS file (PPRRVU, ~2 MB; DMEPOS ~2 MB) with room


class RefusedOut(BaseModel):
    line: int
    reason: str


class LoadReportOut(BaseModel):
    schedule: str
    part: str
    effective_on: str
    filename: str
    rows_read: int
    rows_loaded: int
    rows_refused: int
    refused: list[RefusedOut]
    outcome: str


def _schedule(name: str, part: str) -> Basis:
    try:
        schedule = Basis(name.upper())
    except ValueError:
        raise NotFound(
            f"no Medicare schedule {name!r} (schedules: {', '.join(b.value for b in Basis)})"
        ) from None
    parts = PFS_PARTS if schedule is Basis.PFS else PARTS[schedule]
    if part not in parts:
        raise NotFound(f"{schedule.value} has no part {part!r} (parts: {', '.join(parts)})")
    return schedule


@router.post(
    "/medicare/{schedule}/{part}",
    response_model=LoadReportOut,
    summary="Load one Medicare reference file (ASC, OPPS, CLFS, DMEPOS, PFS) and report its rows",
)
async def load_reference_file(
    schedule: Annotated[str, Path(description="PFS, ASC, OPPS, CLFS or DMEPOS", max_length=10)],
    part: Annotated[
        str,
        Path(
            description="the file: AA, BB, EE, FF, wage_index (ASC); B, wage_index (OPPS); CLFS; DMEPOS, "
            "PEN; RVU, GPCI, ANES, OPPSCAP (PFS)",
            max_length=20,
        ),
    ],
    request: Request,
    who: Annotated[Principal, Requires("admin")],
    rt: Runtime,
    caches: Caches,
    effective_on: Annotated[IsoDate, Query(description="first day the release is in force, e.g. 2025-04-01")],
    filename: Annotated[
        str, Query(min_length=1, max_length=200, description="the file's name as CMS names it")
    ],
) -> Any:
    """The body is the file (text/csv). ASC parts: AA, BB, EE, FF, wage_index; OPPS: B, wage_index;
    CLFS: CLFS; DMEPOS: DMEPOS, PEN; PFS: RVU, GPCI, ANES, OPPSCAP (the year loads once its RVU and
    GPCI files are held). A later release of the year supersedes an earlier one from its
    effective date; claims priced from then on use it."""
    basis = _schedule(schedule, part)
    content = await read_limited(request, _LIMIT)
    if not content.strip():
        raise Unprocessable(
            "the body is empty: send the file", errors=[{"field": "body", "message": "empty"}]
        )
    try:
        report = await load_schedule_file(rt.uow(), caches, basis, part, effective_on, filename, content)
    except ScheduleFileError as exc:
        raise Unprocessable(str(exc), errors=[{"field": "body", "message": str(exc)}]) from None
    return {
        "schedule": report.schedule,
        "part": report.part,
        "effective_on": report.effective_on.isoformat(),
        "filename": report.filename,
        "rows_read": report.rows_read,
        "rows_loaded": report.rows_loaded,
        "rows_refused": len(report.refused),
        "refused": [{"line": r.line, "reason": r.reason} for r in report.refused[:1000]],
        "outcome": report.outcome,
    }
