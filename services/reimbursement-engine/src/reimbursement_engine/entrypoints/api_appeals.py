"""Appeal packets API: draft a letter for variances, read it (HTML, PDF), send it, track it; the
organisation's letter template."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from accord_common.auth import Principal
from accord_common.web.deps import Requires, Runtime
from accord_common.web.types import NonNegativeCents
from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from reimbursement_engine.adapters.appeal_letters import default_template
from reimbursement_engine.adapters.appeal_repo import AppealRepository
from reimbursement_engine.entrypoints.deps import Settings, read_limited
from reimbursement_engine.handlers import appeals as handlers

router = APIRouter(prefix="/v1", tags=["appeals"])
# \x1c-\x1f and \x85 spelled out: Python's \s has them, JSON Schema's (ECMA-262) does not.
_ADDRESS_PART = r"[^@\s\x00\x1c-\x1f\x85,<>]+"
Email = Annotated[
    str, StringConstraints(pattern=rf"^{_ADDRESS_PART}@{_ADDRESS_PART}\.{_ADDRESS_PART}$", max_length=254)
]
AppealId = Annotated[str, Path(description="The appeal's id, as POST /v1/appeals returned it.")]


class AppealIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"variance_ids": ["9b6f..."], "from_name": "Riverside Clinic"}]},
    )
    variance_ids: list[str] = Field(min_length=1, max_length=500)
    from_name: str = Field(default="Revenue Cycle", max_length=200, description="Who signs the letter.")


class SendIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"to": ["appeals@acme.example"]}]}
    )
    to: list[Email] = Field(min_length=1, max_length=10, description="The payer's appeals address(es).")


class AppealMoveIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"to": "paid", "amount": "34.65", "note": "reprocessed, EFT 88812"}]},
    )
    to: Literal["acknowledged", "paid", "denied_again", "escalated"]
    note: str | None = Field(default=None, max_length=4000)
    amount: NonNegativeCents | None = Field(default=None, ge=0, max_digits=14, decimal_places=2)


class AppealOut(BaseModel):
    id: str
    reference: str
    status: str
    payer_id: str
    contract_id: str
    contract_version: int
    variance_ids: list[str]
    amount_due: Decimal
    amount_paid: Decimal | None
    deadline: date | None
    recipients: list[str]
    created_at: datetime
    sent_at: datetime | None


async def _read(rt: Any, org: str, appeal_id: str) -> dict[str, Any]:
    async with rt.sessions() as session:
        repo = AppealRepository(session, org)
        row, history = await repo.get(appeal_id), await repo.history(appeal_id)
    out = AppealOut.model_validate(row._asdict()).model_dump(mode="json")
    out["history"] = [
        {
            "actor": h.actor,
            "from": h.from_status,
            "to": h.to_status,
            "note": h.note,
            "amount": None if h.amount is None else str(h.amount),
            "at": h.at.isoformat(),
        }
        for h in history
    ]
    return out


@router.post("/appeals", status_code=201, summary="Draft an appeal letter for one or more variances")
async def post_appeal(
    body: AppealIn, who: Annotated[Principal, Requires("claims:write")], rt: Runtime
) -> Any:
    """One letter (HTML and PDF) for variances of one payer and one contract, each underpaid or denied:
    it cites the contract, each line's clause, the expected calculation, the 835 lines and codes, the
    amount due and the appeal deadline."""
    appeal_id = await handlers.draft(rt.uow(), who, body.variance_ids, body.from_name)
    return await _read(rt, who.organization_id, appeal_id)


@router.get("/appeals/{appeal_id}", summary="Get an appeal with its history")
async def get_appeal(
    appeal_id: AppealId, who: Annotated[Principal, Requires("claims:read")], rt: Runtime
) -> Any:
    """The appeal: status, amount due and paid, deadline, recipients, and every move (audit trail)."""
    return await _read(rt, who.organization_id, appeal_id)


@router.get("/appeals/{appeal_id}/letter.pdf", summary="The appeal letter as PDF")
async def get_pdf(
    appeal_id: AppealId, who: Annotated[Principal, Requires("claims:read")], rt: Runtime
) -> Response:
    """The letter as PDF, as it was drafted (and sent)."""
    async with rt.sessions() as session:
        row = await AppealRepository(session, who.organization_id).get(appeal_id)
    headers = {"Content-Disposition": f'attachment; filename="{row.reference}.pdf"'}
    return Response(bytes(row.pdf), media_type="application/pdf", headers=headers)


@router.get("/appeals/{appeal_id}/letter.html", response_class=HTMLResponse, summary="The letter as HTML")
async def get_html(
    appeal_id: AppealId, who: Annotated[Principal, Requires("claims:read")], rt: Runtime
) -> HTMLResponse:
    """The letter as HTML, as it was drafted (and sent)."""
    async with rt.sessions() as session:
        row = await AppealRepository(session, who.organization_id).get(appeal_id)
    return HTMLResponse(row.html)


@router.post("/appeals/{appeal_id}/send", summary="Mail the letter to the payer")
async def send_appeal(
    appeal_id: AppealId, body: SendIn, who: Annotated[Principal, Requires("claims:write")], rt: Runtime
) -> Any:
    """The notifier mails the letter with the PDF attached; the appeal's variances become appealed."""
    await handlers.send(rt.uow(), who, appeal_id, [str(a) for a in body.to])
    return await _read(rt, who.organization_id, appeal_id)


@router.post("/appeals/{appeal_id}/transitions", summary="Record what the payer did")
async def move_appeal(
    appeal_id: AppealId, body: AppealMoveIn, who: Annotated[Principal, Requires("claims:write")], rt: Runtime
) -> Any:
    """sent -> acknowledged -> paid | denied_again -> escalated (audited)."""
    await handlers.move(rt.uow(), who, appeal_id, body.to, body.note, body.amount)
    return await _read(rt, who.organization_id, appeal_id)


@router.get("/variances/{variance_id}/appeals", summary="The appeals citing a variance")
async def variance_appeals(
    variance_id: Annotated[str, Path(description="The variance's id.")],
    who: Annotated[Principal, Requires("claims:read")],
    rt: Runtime,
) -> Any:
    """Every appeal whose letter cites the variance, oldest first."""
    async with rt.sessions() as session:
        rows = await AppealRepository(session, who.organization_id).of_variance(variance_id)
    return {"items": [AppealOut.model_validate(r._asdict()).model_dump(mode="json") for r in rows]}


@router.put("/settings/appeal-template", summary="Upload the organisation's appeal letter template")
async def put_template(
    request: Request, who: Annotated[Principal, Requires("claims:write")], rt: Runtime, settings: Settings
) -> Any:
    """A Jinja2 HTML template (text/plain or text/html body), rendered in a sandbox; refused (422)
    when it does not parse, render the sample packet or lay out as a PDF."""
    raw = await read_limited(request, settings.max_upload_bytes)
    await handlers.save_template(rt.uow(), who.organization_id, raw.decode("utf-8", errors="replace"))
    return {"saved": True}


@router.get("/settings/appeal-template", summary="The appeal letter template in use")
async def get_template(who: Annotated[Principal, Requires("claims:read")], rt: Runtime) -> Any:
    """The organisation's template, or the default one (`custom` says which)."""
    async with rt.sessions() as session:
        source = await AppealRepository(session, who.organization_id).template()
    return {"custom": source is not None, "template": source or default_template()}
