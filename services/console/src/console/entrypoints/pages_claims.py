"""The worklist, variances (with their workflow) and a claim with its pricing explanation and payments."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from console.adapters.accord_api import ApiRefused, Service
from console.domain.figures import amount, is_cents
from console.domain.permissions import VarianceMove, variance_moves
from console.domain.worklist import GroupBy, regroup, total
from console.entrypoints.web import Api, Settings, Signed, check_csrf, render, see_other

router = APIRouter()


@router.get("/")
async def home() -> Response:
    return see_other("/worklist")


@router.get("/worklist")
async def worklist(
    request: Request,
    session: Signed,
    api: Api,
    by: GroupBy = GroupBy.PAYER,
    status: str = "open",
    payer_id: str = "",
    contract_id: str = "",
    code: str = "",
    carc: str = "",
) -> Response:
    answer = await api.get(
        session.api_key, Service.ENGINE, "/v1/worklist", status=_workable(status), limit=500
    )
    chosen = {"payer_id": payer_id, "contract_id": contract_id, "code": code, "carc": carc}
    entries = [e for e in answer["items"] if all(not v or str(e.get(k)) == v for k, v in chosen.items())]
    groups = regroup(entries, by)
    filtered = any(chosen.values())
    # Unfiltered, the engine's own total counts every group, also those past the 500 listed.
    return render(
        request,
        "worklist.html",
        session,
        groups=groups,
        total=total(groups) if filtered else amount(answer["total_amount"]),
        truncated=answer["group_count"] > len(answer["items"]),
        by=by,
        group_choices=list(GroupBy),
        status=_workable(status),
        filters=chosen,
    )


@router.get("/worklist/projects")
async def projects(request: Request, session: Signed, api: Api, status: str = "open") -> Response:
    """The worklist as recovery projects: one per root cause, payer and contract, largest first,
    with the days left to appeal and to file, what triage set aside, and the payers' take-backs."""
    answer = await api.get(
        session.api_key, Service.ENGINE, "/v1/worklist/projects", status=_workable(status), limit=500
    )
    return render(request, "projects.html", session, answer=answer, status=_workable(status))


@router.get("/variances")
async def variances(
    request: Request,
    session: Signed,
    api: Api,
    settings: Settings,
    status: str = "open",
    classification: str = "",
    payer_id: str = "",
    contract_id: str = "",
    cursor: str = "",
) -> Response:
    filters = {
        "status": status,
        "classification": classification,
        "payer_id": payer_id,
        "contract_id": contract_id,
    }
    page = await api.get(
        session.api_key, Service.ENGINE, "/v1/variances", limit=settings.page_size, cursor=cursor, **filters
    )
    page_total = sum((amount(v["variance"]) for v in page["items"]), amount(0))
    return render(request, "variances.html", session, page=page, filters=filters, page_total=page_total)


@router.get("/variances/{variance_id}")
async def variance(request: Request, variance_id: str, session: Signed, api: Api) -> Response:
    found = await api.get(session.api_key, Service.ENGINE, f"/v1/variances/{_safe(variance_id)}")
    return render(
        request,
        "variance.html",
        session,
        variance=found,
        moves=variance_moves(found["status"], session.scopes),
        error=None,
    )


@router.post("/variances/{variance_id}/moves")
async def move_variance(
    request: Request,
    variance_id: str,
    session: Signed,
    api: Api,
    to: Annotated[str, Form(max_length=20)] = "",
    note: Annotated[str, Form(max_length=4000)] = "",
    amount_recovered: Annotated[str, Form(max_length=20)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    check_csrf(session, csrf_token)
    path = f"/v1/variances/{_safe(variance_id)}"
    found = await api.get(session.api_key, Service.ENGINE, path)
    moves = variance_moves(found["status"], session.scopes)
    error = _move_error(to, note, amount_recovered, moves)
    if error is None:
        body: dict[str, Any] = {"to": to, "note": note.strip()}
        if amount_recovered.strip():
            body["amount"] = amount_recovered.strip()
        try:
            await api.post(session.api_key, Service.ENGINE, f"{path}/transitions", body)
        except ApiRefused as refusal:
            if refusal.status in (401, 404):
                raise
            error = refusal.detail
        else:
            return see_other(f"/variances/{_safe(variance_id)}")
    return render(request, "variance.html", session, 422, variance=found, moves=moves, error=error)


@router.get("/claims/{claim_id}")
async def claim(request: Request, claim_id: str, session: Signed, api: Api) -> Response:
    found = await api.get(session.api_key, Service.ENGINE, f"/v1/claims/{_safe(claim_id)}")
    page = await api.get(
        session.api_key,
        Service.ENGINE,
        "/v1/variances",
        patient_control_number=found["patient_control_number"],
        limit=20,
    )
    own = [v for v in page["items"] if v["claim_id"] == found["id"]]
    return render(request, "claim.html", session, claim=found, variances=own)


def _move_error(to: str, note: str, recovered: str, moves: tuple[VarianceMove, ...]) -> str | None:
    if to not in {m.value for m in moves}:
        return "to: this variance cannot be moved there (or your key may not move variances)"
    if not note.strip():
        return "note: say why (for the audit trail)"
    if recovered.strip() and not is_cents(recovered.strip()):
        return "amount_recovered: a non-negative amount in dollars and cents, e.g. 28.95"
    return None


def _workable(status: str) -> str:
    return status if status in ("open", "appealed") else "open"


def _safe(record_id: str) -> str:
    from urllib.parse import quote

    return quote(record_id, safe="")
