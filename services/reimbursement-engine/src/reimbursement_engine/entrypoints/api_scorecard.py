"""Payer scorecard per payer and contract over a period, trended by month; exportable."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from accord_common.auth import Principal
from accord_common.exports import TABULAR_RESPONSES, Format, Row, tabular_response
from accord_common.web.deps import Requires, Runtime
from accord_common.web.types import IsoDate
from fastapi import APIRouter, Path, Query
from fastapi.responses import StreamingResponse

from reimbursement_engine.adapters.exports.sources import listed
from reimbursement_engine.domain.scorecard import PayerScorecard
from reimbursement_engine.entrypoints.deps import Settings
from reimbursement_engine.handlers.scorecard import scorecard

router = APIRouter(prefix="/v1", tags=["analytics"])
From = Annotated[IsoDate, Query(alias="from", description="First day of service (YYYY-MM-DD).")]
To = Annotated[IsoDate, Query(alias="to", description="Last day of service (YYYY-MM-DD).")]
Payer = Annotated[str | None, Query(description="Only this payer (its X12 id).")]
Contract = Annotated[str | None, Query(description="Only this contract.")]
COLUMNS = (
    "claims", "reconciled_claims", "expected_allowed", "expected_reconciled", "paid",
    "patient_responsibility", "underpayment_amount", "underpayment_rate", "denial_rate",
    "average_days_to_pay", "paid_late",
    "prompt_pay_interest_owed", "recovered_claims", "recovered_amount", "average_recovery_days",
)  # fmt: skip
TEXT = frozenset({"claims", "reconciled_claims", "paid_late", "recovered_claims"})
HEADER = ("payer_id", "contract_id", "month", *COLUMNS, "denial_rate_by_carc_group", "denial_rate_by_rarc")


@router.get("/scorecard", summary="Payer scorecard, trended by month")
async def get_scorecard(
    who: Annotated[Principal, Requires("claims:read")],
    rt: Runtime,
    settings: Settings,
    period_from: From,
    period_to: To,
    payer_id: Payer = None,
    contract_id: Contract = None,
) -> Any:
    """Per payer and contract over the period of service, with each month of service: expected vs
    paid, underpayment rate, denial rate by CARC group and by RARC, days to pay against prompt pay,
    the prompt-pay interest owed, recoveries and their cycle time."""
    async with rt.sessions() as session:
        cards = await scorecard(
            session,
            who.organization_id,
            period_from,
            period_to,
            settings.what_if_max_claims,
            payer_id,
            contract_id,
        )
    return {"from": period_from, "to": period_to, "items": [c.as_json() for c in cards]}


def _row(card: PayerScorecard, month: str, score: dict[str, Any]) -> Row:
    def value(key: str) -> object:
        found = score[key]
        return found if key in TEXT or found is None else Decimal(found)

    def codes(key: str) -> str:
        return " ".join(f"{k}={v}" for k, v in score[key].items())

    return (
        card.payer_id,
        card.contract_id,
        month,
        *(value(k) for k in COLUMNS),
        codes("denial_rate_by_carc_group"),
        codes("denial_rate_by_rarc"),
    )


@router.get(
    "/exports/scorecard.{fmt}",
    summary="Export the payer scorecard (CSV or XLSX)",
    response_class=StreamingResponse,
    responses=TABULAR_RESPONSES,
    tags=["exports"],
)
async def export_scorecard(
    fmt: Annotated[Format, Path(description="csv or xlsx")],
    who: Annotated[Principal, Requires("claims:read")],
    rt: Runtime,
    settings: Settings,
    period_from: From,
    period_to: To,
    payer_id: Payer = None,
    contract_id: Contract = None,
) -> StreamingResponse:
    """A row per payer, contract and month (month `total` for the whole period)."""
    async with rt.sessions() as session:
        cards = await scorecard(
            session,
            who.organization_id,
            period_from,
            period_to,
            settings.what_if_max_claims,
            payer_id,
            contract_id,
        )
    rows: list[Row] = []
    for card in cards:
        rows.append(_row(card, "total", card.total.as_json()))
        rows += [_row(card, month, score.as_json()) for month, score in sorted(card.months.items())]
    return tabular_response(fmt, "scorecard", HEADER, listed(rows))
