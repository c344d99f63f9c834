"""Canary claims: a named set of test claims priced under a draft or proposed contract version and
under the version in force, side by side, before go-live.

Nothing a canary run does is kept: it reads the projection in a session that is never committed,
stores no claim, publishes no event (so the tracker opens no deadline). The set itself (its name
and claims) is kept so the same claims are run against every proposal.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from accord_common.errors import NotFound, Unprocessable
from accord_common.uow import UnitOfWork
from sqlalchemy.ext.asyncio import AsyncSession

from reimbursement_engine.adapters.caches import EngineCaches
from reimbursement_engine.adapters.claims_mapping import ClaimSubmission, domain_claim
from reimbursement_engine.adapters.recovery_repo import RecoveryRepository
from reimbursement_engine.domain.contract_choice import VersionRef
from reimbursement_engine.domain.pricing import Claim, PricedClaim, price_claim
from reimbursement_engine.handlers.pricing import PRICED, Pricer


@dataclass(frozen=True, slots=True)
class CanaryClaim:
    patient_control_number: str
    proposed: PricedClaim
    in_force: PricedClaim | None
    in_force_label: str | None
    in_force_reason: str | None  # why no version in force prices it

    @property
    def difference(self) -> Decimal | None:
        if self.in_force is None:
            return None
        return self.proposed.expected_allowed - self.in_force.expected_allowed


@dataclass(frozen=True, slots=True)
class CanaryRun:
    set_name: str
    proposed: VersionRef
    claims: list[CanaryClaim]

    @property
    def proposed_total(self) -> Decimal:
        return sum((c.proposed.expected_allowed for c in self.claims), Decimal(0))

    @property
    def in_force_total(self) -> Decimal:
        return sum((c.in_force.expected_allowed for c in self.claims if c.in_force), Decimal(0))


async def save_set(uow: UnitOfWork, org: str, name: str, submissions: list[ClaimSubmission]) -> None:
    """Keep (or replace) the named set: each claim's header and line rows, as submitted."""
    rows = [{"header": s.header, "lines": [_json_line(line) for line in s.lines]} for s in submissions]
    async with uow:
        await RecoveryRepository(uow.session, org).put_canary_set(name, rows)
        await uow.commit()


def _json_line(line: dict[str, Any]) -> dict[str, Any]:
    """A line row as JSON: dates ISO, amounts as text (exact)."""
    out: dict[str, Any] = {}
    for key, value in line.items():
        if isinstance(value, date):
            value = value.isoformat()
        elif isinstance(value, Decimal):
            value = str(value)
        out[key] = value
    return out


def _line_row(stored: dict[str, Any]) -> dict[str, Any]:
    cost = stored.get("invoice_cost")
    return {
        **stored,
        "service_date": date.fromisoformat(stored["service_date"]),
        "invoice_cost": None if cost is None else Decimal(cost),
    }


async def stored_set(session: AsyncSession, org: str, name: str) -> list[dict[str, Any]]:
    row = await RecoveryRepository(session, org).canary_set(name)
    if row is None:
        raise NotFound(f"canary set {name!r} not found")
    claims: list[dict[str, Any]] = row.claims
    return claims


def _proposed_ref(versions: list[VersionRef], contract_id: str, version: int | None) -> VersionRef:
    held = [v for v in versions if v.contract_id == contract_id and (version is None or v.version == version)]
    if not held:
        which = f"contract {contract_id}" + (f" v{version}" if version is not None else "")
        raise NotFound(f"{which} is not held by the engine (has the registry published it?)")
    return max(held, key=lambda v: v.version)


async def run(
    session: AsyncSession, caches: EngineCaches, org: str, name: str, contract_id: str, version: int | None
) -> CanaryRun:
    """Price the named set under the proposed version and under the one in force (no writes)."""
    stored = await stored_set(session, org, name)
    headers = [dict(item["header"]) for item in stored]
    claims = [domain_claim(item["header"], [_line_row(x) for x in item["lines"]]) for item in stored]
    today = datetime.now(UTC).date()
    pricer = Pricer(session, caches, org, today)
    await pricer.prepare(claims, headers)
    ref = _proposed_ref(pricer.versions, contract_id, version)
    if ref.fee_schedule_hash and ref.fee_schedule_hash not in pricer.assembled:
        raise Unprocessable(
            f"the fee schedule of {ref.label} has not arrived yet: run the canary again shortly"
        )
    terms = await caches.terms(session, ref)
    out = []
    for header, claim in zip(headers, claims, strict=True):
        placed = replace(pricer.resident(claim), site_locality=pricer.place_of(header).locality)
        proposed = price_claim(placed, terms, pricer.medicare, today)
        out.append(await _beside_in_force(pricer, header, claim, proposed, ref))
    return CanaryRun(name, ref, out)


async def _beside_in_force(
    pricer: Pricer, header: dict[str, Any], claim: Claim, proposed: PricedClaim, ref: VersionRef
) -> CanaryClaim:
    if header.get("contract_id") == ref.contract_id:
        header = {k: v for k, v in header.items() if k != "contract_id"}
    current = await pricer.price(claim, header)
    if current.status != PRICED or current.priced is None or current.ref is None:
        return CanaryClaim(claim.patient_control_number, proposed, None, None, current.reason)
    return CanaryClaim(claim.patient_control_number, proposed, current.priced, current.ref.label, None)
