"""Payer analytics: expected vs paid by month (SVG), underpayment and denial rates per payer."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

from fastapi import APIRouter, Request
from fastapi.responses import Response

from console.adapters.accord_api import Service
from console.domain.charts import CHART_HEIGHT, MonthFigures, chart_width, expected_vs_paid, last_months
from console.domain.figures import amount
from console.entrypoints.web import Api, Signed, render

router = APIRouter()
MONTHS = 6


@router.get("/analytics")
async def analytics(
    request: Request, session: Signed, api: Api, payer_id: str = "", until: str = ""
) -> Response:
    today = _month_of(until)
    spans = last_months(today, MONTHS)
    answers = await asyncio.gather(
        *(
            api.get(
                session.api_key,
                Service.ENGINE,
                "/v1/analytics",
                **{"from": a.isoformat(), "to": b.isoformat()},
            )
            for a, b in spans
        )
    )
    months = []
    for (first, _), answer in zip(spans, answers, strict=True):
        rows = [r for r in answer["items"] if not payer_id or r["payer_id"] == payer_id]
        months.append(
            MonthFigures(
                first,
                sum((amount(r["expected_reconciled"]) for r in rows), amount(0)),
                sum((amount(r["paid"]) for r in rows), amount(0)),
            )
        )
    whole = await api.get(
        session.api_key,
        Service.ENGINE,
        "/v1/analytics",
        **{"from": spans[0][0].isoformat(), "to": spans[-1][1].isoformat()},
    )
    return render(
        request,
        "analytics.html",
        session,
        columns=expected_vs_paid(months),
        months=months,
        width=chart_width(len(months)),
        height=CHART_HEIGHT,
        payers=whole["items"],
        payer_id=payer_id,
        period=(spans[0][0], spans[-1][1]),
    )


def _month_of(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return datetime.now(UTC).date()
