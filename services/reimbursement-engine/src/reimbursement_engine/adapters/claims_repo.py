"""Claims and their lines: bulk inserts and updates (Core statements, no per-line ORM objects)."""

from __future__ import annotations

from datetime import date
from typing import Any

from accord_common.bulk import insert_rows
from accord_common.bulk_update import update_rows
from accord_common.errors import NotFound
from accord_common.sql_sets import among, on_postgresql, parts, planned_for_their_values
from sqlalchemy import ARRAY, ColumnElement, String, and_, any_, bindparam, or_, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from reimbursement_engine.adapters.orm import claim_lines, claims
from reimbursement_engine.adapters.orm_reference import RETIRED_STATUSES
from reimbursement_engine.domain.repricing import RepricingRequest, RepricingScope

# literally the predicate of the partial index uq_claims_org_pcn_live: SQLite uses a partial index
# only for a query whose WHERE names its predicate (bound parameters do not), else it scans the
# organisation's claims for every lookup by patient control number
_LIVE = text(f"claims.status NOT IN ({', '.join(repr(s) for s in RETIRED_STATUSES)})")

_CHUNK = 5000
# what pricing a stored claim again reads of it (the claim itself is rebuilt from `submitted` and its lines)
_TO_PRICE = (claims.c.id, claims.c.submitted, claims.c.status, claims.c.status_reason)
_RECONCILED = (
    *(claims.c[name] for name in ("id", "patient_control_number", "payer_id", "contract_id")),
    *(claims.c[name] for name in ("contract_version", "expected_allowed", "pricing_completeness")),
    claims.c.submitted,
)
LINE_RESULT_COLUMNS = ("status", "term", "expected_allowed", "unpriced_reason")
# what a stored line is priced from (claims_mapping.domain_line): the line as submitted
_LINE_SUBMITTED = tuple(
    claim_lines.c[name]
    for name in (
        "claim_id",
        "line_number",
        "code_system",
        "code",
        "modifiers",
        "units",
        "charge",
        "revenue_code",
        "service_date",
        "place_of_service",
        "invoice_cost",
    )
)


class ClaimAlreadyLive(Exception):
    """Inserting claims hit the one-live-claim-per-patient-control-number index. The transaction
    is rolled back; `pcns` are the submitted numbers already live."""

    def __init__(self, pcns: set[str]) -> None:
        super().__init__(f"{len(pcns)} patient control number(s) already live")
        self.pcns = pcns


class ClaimsRepository:
    def __init__(self, session: AsyncSession, organization_id: str) -> None:
        self.session = session
        self.org = organization_id

    async def existing_pcns(self, pcns: list[str]) -> set[str]:
        found: set[str] = set()
        pg = on_postgresql(self.session)
        async with planned_for_their_values(self.session):
            for part in parts(pcns, pg):
                rows = await self.session.scalars(
                    select(claims.c.patient_control_number).where(
                        claims.c.organization_id == self.org,
                        among(claims.c.patient_control_number, part, pg),
                        _LIVE,
                    )
                )
                found.update(rows)
        return found

    async def add(self, claim_rows: list[dict[str, Any]], line_rows: list[dict[str, Any]]) -> None:
        """Insert claims and lines. The database's unique index decides whether a patient control
        number is already live (no lookup first, and two concurrent batches cannot both pass a
        check): on a conflict the transaction is rolled back and ClaimAlreadyLive names them."""
        try:
            await insert_rows(self.session, claims, claim_rows)
        except IntegrityError:
            await self.session.rollback()
            live = await self.existing_pcns([row["patient_control_number"] for row in claim_rows])
            if not live:
                raise
            raise ClaimAlreadyLive(live) from None
        await insert_rows(self.session, claim_lines, line_rows)

    async def save_pricings(self, claim_values: list[dict[str, Any]], lines: list[dict[str, Any]]) -> None:
        """Store (re-)pricings: each claim's new figures (`id` and the same columns in every row)
        and each line's result (`claim_id`, `line_number` and LINE_RESULT_COLUMNS), one bulk
        UPDATE per table (accord_common.bulk_update: one statement from arrays on PostgreSQL)."""
        await update_rows(self.session, claims, ("id",), claim_values)
        await update_rows(self.session, claim_lines, ("claim_id", "line_number"), lines)

    async def get(self, claim_id: str) -> Any:
        row = (
            await self.session.execute(
                select(claims).where(claims.c.id == claim_id, claims.c.organization_id == self.org)
            )
        ).first()
        if row is None:
            raise NotFound(f"claim {claim_id} not found")
        return row

    async def get_many(self, claim_ids: list[str]) -> dict[str, Any]:
        """The columns reconciliation reads of many claims at once (one array on PostgreSQL, parts
        on SQLite: accord_common.sql_sets; not the explanation steps, flags or charges); every id
        must be the organisation's."""
        found: dict[str, Any] = {}
        pg = on_postgresql(self.session)
        for part in parts(claim_ids, pg):  # by primary key: any plan of it is the key's
            rows = await self.session.execute(
                select(*_RECONCILED).where(among(claims.c.id, part, pg), claims.c.organization_id == self.org)
            )
            found.update((row.id, row) for row in rows)
        missing = [claim_id for claim_id in claim_ids if claim_id not in found]
        if missing:
            raise NotFound(f"claim {missing[0]} not found")
        return found

    async def ids_by_pcn(self, pcns: list[str]) -> dict[str, str]:
        """Live (not replaced or voided) claim id by patient control number, for those held."""
        found: dict[str, str] = {}
        pg = on_postgresql(self.session)
        async with planned_for_their_values(self.session):
            for part in parts(pcns, pg):
                rows = await self.session.execute(
                    select(claims.c.patient_control_number, claims.c.id).where(
                        claims.c.organization_id == self.org,
                        among(claims.c.patient_control_number, part, pg),
                        _LIVE,
                    )
                )
                found.update((row.patient_control_number, row.id) for row in rows)
        return found

    async def retire(self, claim_id: str, status: str, reason: str) -> None:
        """Mark a claim replaced or voided (it stays for the record, no longer live)."""
        assert status in RETIRED_STATUSES
        values = {"status": status, "status_reason": reason}
        await self.session.execute(update(claims).where(claims.c.id == claim_id).values(**values))

    async def lines(self, claim_ids: list[str]) -> dict[str, list[Any]]:
        out: dict[str, list[Any]] = {claim_id: [] for claim_id in claim_ids}
        pg = on_postgresql(self.session)
        for part in parts(claim_ids, pg):  # the lines' key leads with the claim: any plan is it
            rows = await self.session.execute(
                select(claim_lines)
                .where(among(claim_lines.c.claim_id, part, pg))
                .order_by(claim_lines.c.claim_id, claim_lines.c.line_number)
            )
            for row in rows.all():
                out[row.claim_id].append(row)
        return out

    async def submitted_lines(self, claim_ids: list[str]) -> dict[str, list[Any]]:
        """Each claim's lines as submitted (the columns pricing reads, as mappings), in line order:
        a batch's 2,000 ids as one array parameter on PostgreSQL, not 2,000 rendered ones."""
        out: dict[str, list[Any]] = {claim_id: [] for claim_id in claim_ids}
        postgres = self.session.get_bind().dialect.name == "postgresql"
        for start in range(0, len(claim_ids), _CHUNK):
            part = claim_ids[start : start + _CHUNK]
            among = (
                claim_lines.c.claim_id == any_(bindparam("ids", part, type_=ARRAY(String)))
                if postgres
                else claim_lines.c.claim_id.in_(part)
            )
            query = select(*_LINE_SUBMITTED).where(among)
            query = query.order_by(claim_lines.c.claim_id, claim_lines.c.line_number)
            rows = await self.session.execute(query)
            for row in rows.mappings():
                out[row["claim_id"]].append(row)
        return out

    async def to_reprice(self, request: RepricingRequest, limit: int | None) -> list[Any]:
        """The claims of a re-pricing walk after the request's `after_claim_id` and up to its
        `until_claim_id` (both when given), by id, at most `limit` (the columns pricing reads)."""
        query = select(*_TO_PRICE).where(*self._walk(request))
        if request.until_claim_id is not None:
            query = query.where(claims.c.id <= request.until_claim_id)
        query = query.order_by(claims.c.id)
        return list((await self.session.execute(query if limit is None else query.limit(limit))).all())

    async def ids_to_reprice(self, request: RepricingRequest, after: str, limit: int) -> list[str]:
        """The ids of the walk's claims after `after`, in order: where its later batches end."""
        query = select(claims.c.id).where(*self._walk(request), claims.c.id > after)
        return list((await self.session.scalars(query.order_by(claims.c.id).limit(limit))).all())

    def _walk(self, request: RepricingRequest) -> list[ColumnElement[bool]]:
        """Pending: waiting claims (pending, or needing review after matching) of the payers, or
        naming the contract, when given. Version: claims priced under another version of the
        contract whose dates reach [effective_from, effective_to]."""
        where: list[ColumnElement[bool]] = [claims.c.organization_id == self.org]
        if request.scope is RepricingScope.PENDING:
            where.append(claims.c.status.in_(("pending", "needs_review")))
            if request.payer_ids:
                named = [claims.c.requested_contract_id == request.contract_id] if request.contract_id else []
                where.append(or_(claims.c.payer_id.in_(request.payer_ids), *named))
        else:
            if request.contract_id is None or request.contract_version is None or not request.effective_from:
                raise ValueError(f"a {request.scope} request needs contract_id, version and effective_from")
            where += [
                claims.c.contract_id == request.contract_id,
                claims.c.status == "priced",
                claims.c.service_to >= request.effective_from,
                or_(
                    claims.c.contract_version.is_(None), claims.c.contract_version != request.contract_version
                ),
            ]
            if request.effective_to is not None:
                where.append(claims.c.service_date <= request.effective_to)
        if request.after_claim_id is not None:
            where.append(claims.c.id > request.after_claim_id)
        return where

    async def page(self, after: str | None, limit: int, status: str | None, pcn: str | None) -> list[Any]:
        query = select(claims).where(claims.c.organization_id == self.org)
        if status:
            query = query.where(claims.c.status == status)
        if pcn:
            query = query.where(claims.c.patient_control_number == pcn)
        if after:
            query = query.where(claims.c.id > after)
        return list((await self.session.execute(query.order_by(claims.c.id).limit(limit))).all())

    async def in_period(self, contract_id: str | None, start: date, end: date, limit: int) -> list[Any]:
        query = select(claims).where(
            and_(
                claims.c.organization_id == self.org,
                claims.c.service_date >= start,
                claims.c.service_date <= end,
                _LIVE,  # a replaced or voided claim is not counted (its replacement is)
            )
        )
        if contract_id:
            query = query.where(claims.c.contract_id == contract_id)
        return list((await self.session.execute(query.order_by(claims.c.service_date).limit(limit))).all())
