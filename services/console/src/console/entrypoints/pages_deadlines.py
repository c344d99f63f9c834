"""Deadlines: list and calendar with filters; complete, waive, snooze; the iCalendar feed link."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from console.adapters.accord_api import ApiRefused, Service
from console.domain.permissions import ObligationMove, obligation_moves
from console.entrypoints.web import Api, Settings, Signed, check_csrf, render, see_other

router = APIRouter()


@router.get("/obligations")
async def obligations(
    request: Request,
    session: Signed,
    api: Api,
    settings: Settings,
    status: str = "open",
    kind: str = "",
    due_within_days: str = "",
    cursor: str = "",
) -> Response:
    filters = {"status": status, "kind": kind, "due_within_days": due_within_days}
    page = await api.get(
        session.api_key,
        Service.TRACKER,
        "/v1/obligations",
        limit=settings.page_size,
        cursor=cursor,
        **filters,
    )
    by_month: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in page["items"]:
        by_month[date.fromisoformat(item["due_date"]).strftime("%B %Y")].append(item)
    return render(request, "obligations.html", session, page=page, filters=filters, calendar=dict(by_month))


@router.get("/obligations/{obligation_id}")
async def obligation(request: Request, obligation_id: str, session: Signed, api: Api) -> Response:
    found = await api.get(
        session.api_key, Service.TRACKER, f"/v1/obligations/{quote(obligation_id, safe='')}"
    )
    moves = obligation_moves(found["status"], session.scopes)
    return render(request, "obligation.html", session, obligation=found, moves=moves, error=None)


@router.post("/obligations/{obligation_id}/moves")
async def move_obligation(
    request: Request,
    obligation_id: str,
    session: Signed,
    api: Api,
    move: Annotated[str, Form(max_length=20)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
    until: Annotated[str, Form(max_length=10)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    check_csrf(session, csrf_token)
    path = f"/v1/obligations/{quote(obligation_id, safe='')}"
    found = await api.get(session.api_key, Service.TRACKER, path)
    moves = obligation_moves(found["status"], session.scopes)
    error = _move_error(move, note, until, moves)
    if error is None:
        try:
            await api.post(
                session.api_key, Service.TRACKER, f"{path}/{move}", _body(ObligationMove(move), note, until)
            )
        except ApiRefused as refusal:
            if refusal.status in (401, 404):
                raise
            error = refusal.detail
        else:
            return see_other(f"/obligations/{quote(obligation_id, safe='')}")
    return render(request, "obligation.html", session, 422, obligation=found, moves=moves, error=error)


@router.get("/calendar-feeds")
async def calendar_feeds(request: Request, session: Signed, api: Api) -> Response:
    feeds = await api.get(session.api_key, Service.TRACKER, "/v1/calendar-feeds")
    return render(request, "calendar_feeds.html", session, feeds=feeds, created=None)


@router.post("/calendar-feeds")
async def create_calendar_feed(
    request: Request,
    session: Signed,
    api: Api,
    name: Annotated[str, Form(max_length=200)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    check_csrf(session, csrf_token)
    created = await api.post(
        session.api_key, Service.TRACKER, "/v1/calendar-feeds", {"name": name.strip() or "My deadlines"}
    )
    feeds = await api.get(session.api_key, Service.TRACKER, "/v1/calendar-feeds")
    return render(request, "calendar_feeds.html", session, 201, feeds=feeds, created=created)


def _move_error(move: str, note: str, until: str, moves: tuple[ObligationMove, ...]) -> str | None:
    if move not in {m.value for m in moves}:
        return "move: this deadline cannot be changed so (or your key may not change deadlines)"
    if move == ObligationMove.WAIVE and not note.strip():
        return "note: say why the deadline is waived"
    if move == ObligationMove.SNOOZE:
        try:
            date.fromisoformat(until)
        except ValueError:
            return "until: a date (YYYY-MM-DD) after today"
    return None


def _body(move: ObligationMove, note: str, until: str) -> dict[str, Any]:
    text = note.strip() or None
    if move is ObligationMove.WAIVE:
        return {"reason": text}
    if move is ObligationMove.SNOOZE:
        return {"until": until, "comment": text}
    return {"comment": text}
