"""The worklist's sums: on PostgreSQL one GROUP BY in the database (exact NUMERIC), elsewhere the
variances read and summed in Python by the domain (`domain.worklist.summed`; SQLite keeps money as
text and would sum it as floats).

An organisation's open variances grow with every 835: summed in Python, 10,000 of them and their
20,000 lines were read row by row on every worklist request (0.3 s of the engine's CPU, growing with
the backlog); summed in PostgreSQL the engine reads one row per payer, contract, code and CARC.
Both ways give the same `WorklistSum`s (test_engine_worklist_sums.py compares them on PostgreSQL).
"""

from __future__ import annotations

import asyncio
from typing import Any

from accord_common.db import canonical_money
from accord_common.sql_sets import on_postgresql
from sqlalchemy import ARRAY, String, bindparam, text
from sqlalchemy.ext.asyncio import AsyncSession

from reimbursement_engine.adapters.variance_repo import VarianceRepository
from reimbursement_engine.domain.reconciliation import Classification
from reimbursement_engine.domain.worklist import (
    CLAIM_LEVEL,
    SECTIONED,
    ClassificationTotal,
    WorklistLine,
    WorklistSum,
    WorklistVariance,
    summed,
)

Sums = tuple[list[WorklistSum], list[ClassificationTotal]]

# One statement, one snapshot. v: the variances on the worklist (as domain.worklist.counted); l:
# their lines; parts: as WorklistVariance.parts, the lines with a variance and what of the claim's
# variance no line carries as one claim-level part (with the claim's first CARC); summed by
# classification, payer, contract, code and CARC; then each classification's total (code NULL).
SUMS = text(
    "WITH v AS MATERIALIZED (SELECT id, classification, payer_id, contract_id, claim_id, "
    "remittance_date, variance, expected_allowed, paid, COALESCE(carcs ->> 0, '') AS first_carc "
    "FROM variances WHERE organization_id = :org AND status = :status AND variance <> 0 "
    "AND classification = ANY(:classifications)), "
    "l AS MATERIALIZED (SELECT l.variance_id, l.code, l.carc, l.variance, l.expected_allowed, l.paid "
    "FROM variance_lines l JOIN v ON v.id = l.variance_id), "
    "rest AS (SELECT v.id, v.first_carc, v.variance - COALESCE(SUM(l.variance), 0) AS amount, "
    "v.expected_allowed - COALESCE(SUM(l.expected_allowed), 0) AS expected_allowed, "
    "v.paid - COALESCE(SUM(l.paid), 0) AS paid FROM v LEFT JOIN l ON l.variance_id = v.id "
    "GROUP BY v.id, v.variance, v.expected_allowed, v.paid, v.first_carc), "
    "parts AS (SELECT variance_id, code, carc, variance AS amount, expected_allowed, paid FROM l "
    "WHERE variance <> 0 UNION ALL SELECT id, :claim_level, first_carc, amount, expected_allowed, "
    "paid FROM rest WHERE amount <> 0) "
    "SELECT v.classification, v.payer_id, v.contract_id, p.code, p.carc, SUM(p.amount), "
    "SUM(p.expected_allowed), SUM(p.paid), COUNT(*), COUNT(DISTINCT v.claim_id), "
    "MIN(v.remittance_date) FROM parts p JOIN v ON v.id = p.variance_id "
    "GROUP BY v.classification, v.payer_id, v.contract_id, p.code, p.carc "
    "UNION ALL SELECT classification, NULL, NULL, NULL, NULL, SUM(variance), NULL, NULL, COUNT(*), "
    "NULL, NULL FROM v GROUP BY classification"
).bindparams(bindparam("classifications", type_=ARRAY(String)))


async def worklist_sums(session: AsyncSession, org: str, status: str) -> Sums:
    """The organisation's variances in `status` summed for the worklist (`domain.worklist.assemble`
    draws the sections)."""
    if not on_postgresql(session):
        found = await VarianceRepository(session, org).in_status(status)
        return await asyncio.to_thread(lambda: summed(worklist_variance(row, lines) for row, lines in found))
    values = sums_parameters(org, status)
    sums: list[WorklistSum] = []
    totals: list[ClassificationTotal] = []
    for row in await session.execute(SUMS, values):
        if row[3] is None:  # a classification's total
            totals.append(ClassificationTotal(Classification(row[0]), canonical_money(row[5]), int(row[8])))
        else:
            sums.append(_sum(row))
    return sums, totals


def sums_parameters(org: str, status: str) -> dict[str, Any]:
    """What `SUMS` is run with for the organisation's variances in `status`."""
    return {"org": org, "status": status, "classifications": sorted(SECTIONED), "claim_level": CLAIM_LEVEL}


def _sum(row: Any) -> WorklistSum:
    classification, payer, contract, code, carc, amount, expected, paid, lines, claims, oldest = row
    return WorklistSum(
        Classification(classification),
        payer,
        contract,
        code,
        carc,
        canonical_money(amount),
        canonical_money(expected),
        canonical_money(paid),
        int(lines),
        int(claims),
        oldest,
    )


def worklist_variance(row: Any, lines: list[Any]) -> WorklistVariance:
    return WorklistVariance(
        row.payer_id,
        row.contract_id,
        row.claim_id,
        Classification(row.classification),
        row.remittance_date,
        row.variance,
        row.expected_allowed,
        row.paid,
        tuple(row.carcs or ()),
        tuple(WorklistLine(r.code, r.carc, r.variance, r.expected_allowed, r.paid) for r in lines),
    )
