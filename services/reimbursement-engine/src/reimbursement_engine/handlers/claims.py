"""Claims in: price each line with the version in force, store the result, publish claim.priced.

A claim whose contract (or its fee schedule) has not arrived yet is stored as pending and priced
when the projection catches up; a version that starts before already-priced claims' dates of
service re-prices them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from accord_common.errors import Conflict, Unprocessable
from accord_common.ids import new_id
from accord_common.uow import UnitOfWork

from reimbursement_engine.adapters.caches import EngineCaches
from reimbursement_engine.adapters.claims_mapping import ClaimSubmission, domain_claim
from reimbursement_engine.adapters.claims_repo import ClaimAlreadyLive, ClaimsRepository
from reimbursement_engine.adapters.locks import hold_contract_terms
from reimbursement_engine.domain.claim_lifecycle import ClaimStatus
from reimbursement_engine.domain.pricing import Claim
from reimbursement_engine.handlers import SOURCE, reconcile
from reimbursement_engine.handlers import claim_lifecycle as lifecycle
from reimbursement_engine.handlers.pricing import (
    PRICED,
    Pricer,
    PricingResult,
    claim_values,
    line_results,
    line_rows,
    priced_payload,
)

VOIDED = ClaimStatus.VOIDED


@dataclass(frozen=True, slots=True)
class StoredClaim:
    id: str
    submission: ClaimSubmission
    claim: Claim
    result: PricingResult


def _refuse_duplicates(submissions: list[ClaimSubmission], existing: set[str]) -> None:
    seen: set[str] = set()
    errors = []
    for i, sub in enumerate(submissions):
        pcn = sub.patient_control_number
        if pcn in existing or pcn in seen:
            errors.append(
                {"field": f"claims[{i}].patient_control_number", "message": f"{pcn!r} already submitted"}
            )
        seen.add(pcn)
    if errors:
        raise Conflict(f"{len(errors)} claim(s) were already submitted", errors=errors)


def _first_of_each(submissions: list[ClaimSubmission], existing: set[str]) -> list[ClaimSubmission]:
    seen = set(existing)
    kept = []
    for sub in submissions:
        if sub.patient_control_number not in seen:
            kept.append(sub)
            seen.add(sub.patient_control_number)
    return kept


def _domain_claims(submissions: list[ClaimSubmission]) -> list[Claim]:
    out = []
    for i, sub in enumerate(submissions):
        if sub.claim is not None:
            out.append(sub.claim)
            continue
        try:
            out.append(domain_claim(sub.header, sub.lines))
        except ValueError as exc:
            raise Unprocessable(str(exc), errors=[{"field": f"claims[{i}]", "message": str(exc)}])
    return out


def _rows(stored: StoredClaim, org: str, now: datetime) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    header = stored.submission.header
    claim_row = {
        "id": stored.id,
        "organization_id": org,
        "patient_control_number": stored.claim.patient_control_number,
        "payer_id": stored.claim.payer_id,
        "requested_contract_id": header.get("contract_id"),
        "contract_id": header.get("contract_id"),
        "service_date": stored.claim.service_from,
        "service_to": stored.claim.service_to,
        "received_date": date.fromisoformat(header["received_date"]),
        "total_charge": stored.claim.total_charges,
        "submitted": header,
        "source": stored.submission.source,
        "created_at": now,
        **claim_values(stored.result, now),
    }
    return claim_row, line_rows(stored.id, stored.submission.lines, stored.result)


async def submit_claims(
    uow: UnitOfWork,
    caches: EngineCaches,
    org: str,
    submissions: list[ClaimSubmission],
    *,
    skip_duplicates: bool = False,
) -> list[StoredClaim]:
    """Price and store claims in one transaction; publishes claim.priced for each priced claim."""
    async with uow:
        stored = await store_claims(uow, caches, org, submissions, skip_duplicates=skip_duplicates)
        await uow.commit()
    return stored


async def store_claims(
    uow: UnitOfWork,
    caches: EngineCaches,
    org: str,
    submissions: list[ClaimSubmission],
    *,
    skip_duplicates: bool,
) -> list[StoredClaim]:
    """Inside an open unit of work: a patient control number already live is a conflict (409),
    or skipped with `skip_duplicates`; replacements and voids supersede the live claim
    (claim_lifecycle); payments held for a new claim's patient control number are reconciled."""
    await hold_contract_terms(uow.session, org, exclusive=False)  # before reading any contract
    now = datetime.now(UTC)
    repo = ClaimsRepository(uow.session, org)
    submissions, retired = await lifecycle.retire_superseded(
        uow, org, submissions, skip_unknown_voids=skip_duplicates
    )
    if skip_duplicates:
        existing = await repo.existing_pcns([s.patient_control_number for s in submissions])
        submissions = _first_of_each(submissions, existing)
    _refuse_duplicates(submissions, set())  # within the batch; live ones: the insert's unique index
    stored = await _priced(uow, caches, org, submissions, now)
    claim_rows: list[dict[str, Any]] = []
    all_lines: list[dict[str, Any]] = []
    priced: list[tuple[str, dict[str, Any]]] = []
    for item in stored:
        claim_row, lines = _rows(item, org, now)
        claim_rows.append(claim_row)
        all_lines.extend(lines)
        if item.result.status == PRICED:
            header = item.submission.header
            priced.append((item.id, priced_payload(item.id, org, header, item.claim, item.result)))
    uow.publish_batch("claim.priced", source=SOURCE, organization_id=org, items=priced)
    try:
        await repo.add(claim_rows, all_lines)
    except ClaimAlreadyLive as exc:
        _refuse_duplicates(submissions, exc.pcns)
        raise
    await _settle_payments(uow, caches, org, stored, retired)
    return stored + _voided(retired)


async def _priced(
    uow: UnitOfWork, caches: EngineCaches, org: str, submissions: list[ClaimSubmission], now: datetime
) -> list[StoredClaim]:
    claims = _domain_claims(submissions)
    pricer = Pricer(uow.session, caches, org, now.date())
    await pricer.prepare(claims, [sub.header for sub in submissions])
    stored = []
    for sub, claim in zip(submissions, claims, strict=True):
        result = await pricer.price(claim, sub.header)
        stored.append(StoredClaim(new_id(), sub, claim, result))
    return stored


async def _settle_payments(
    uow: UnitOfWork, caches: EngineCaches, org: str, stored: list[StoredClaim], retired: lifecycle.Retirements
) -> None:
    """Payments of replaced claims, and payments that came before their claim, reconciled now."""
    new_ids = {item.submission.patient_control_number: item.id for item in stored}
    touched = await lifecycle.take_over_payments(uow, org, new_ids, retired)
    for item in stored:
        if item.id in touched and item.result.status == PRICED:
            await reconcile.reconcile_claim(uow, org, item.id, caches.default_tolerance)


def _voided(retired: lifecycle.Retirements) -> list[StoredClaim]:
    out = []
    for sub in retired.void_subs:
        claim_id = retired.voided[sub.patient_control_number]
        result = PricingResult(VOIDED, "voided by a frequency 8 claim")
        out.append(StoredClaim(claim_id, sub, domain_claim(sub.header, sub.lines), result))
    return out


async def reprice(uow: UnitOfWork, caches: EngineCaches, org: str, claim_rows: list[Any]) -> int:
    """Price stored claims again (pending ones, or ones a new version affects) inside `uow`: the
    batch's lines read in one query, its pricings written by one statement per table, its
    claim.priced events published as one batch, its claims reconciled together."""
    if not claim_rows:
        return 0
    repo = ClaimsRepository(uow.session, org)
    lines = await repo.submitted_lines([row.id for row in claim_rows])
    claims = {row.id: domain_claim(row.submitted, lines[row.id]) for row in claim_rows}
    now = datetime.now(UTC)
    pricer = Pricer(uow.session, caches, org, now.date())
    await pricer.prepare(list(claims.values()), [row.submitted for row in claim_rows])
    waiting: list[dict[str, Any]] = []
    repriced: list[dict[str, Any]] = []
    new_lines: list[dict[str, Any]] = []
    priced: list[tuple[str, dict[str, Any]]] = []
    for row in claim_rows:
        result = await pricer.price(claims[row.id], row.submitted)
        if result.status != PRICED:
            # a priced claim keeps its pricing; one still waiting says what it now waits for
            status = row.status if row.status == PRICED else result.status
            if (status, result.reason) != (row.status, row.status_reason):
                waiting.append({"id": row.id, "status": status, "status_reason": result.reason})
            continue
        repriced.append({"id": row.id, **claim_values(result, now)})
        new_lines += line_results(row.id, result)
        priced.append((row.id, priced_payload(row.id, org, row.submitted, claims[row.id], result)))
    await repo.save_pricings(waiting, [])
    await repo.save_pricings(repriced, new_lines)
    uow.publish_batch("claim.priced", source=SOURCE, organization_id=org, items=priced)
    await reconcile.reconcile_claims(uow, org, [claim_id for claim_id, _ in priced], caches.default_tolerance)
    return len(priced)
