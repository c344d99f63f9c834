"""claim.priced / claim.paid / claim.variance_detected: per-claim deadlines under the terms of the
contract version that priced the claim (the one in force on its date of service). Obligations name
the claim by patient control number and the payer by name; no other patient data is kept.

A use case that needs something not here yet raises before it writes: ContractNotYetKnown (any
claim event) or ClaimNotYetPriced (a payment or variance); handlers/parking.py parks the event
until then."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from accord_common.events import CloudEvent
from accord_common.events.payloads import ClaimData, ClaimPaidData, ClaimVarianceData, ContractVersionData
from accord_common.uow import UnitOfWork

from obligation_tracker.adapters.contract_projection import ContractProjection
from obligation_tracker.adapters.repository import (
    ObligationRefs,
    ObligationRepository,
    StoredObligation,
)
from obligation_tracker.adapters.version_repository import ClaimPricing, ContractVersions
from obligation_tracker.domain import (
    ClaimDeadlineFacts,
    ContractVersionSnapshot,
    Obligation,
    ObligationKind,
    appealable_outcome,
    assess_prompt_pay,
    claim_obligations,
    payment_awaits_pricing,
    settle_prompt_pay,
    version_for_claim,
)
from obligation_tracker.handlers import claim_run, run_memo
from obligation_tracker.handlers.context import Tracker
from obligation_tracker.handlers.publishing import Change, apply_change
from obligation_tracker.handlers.snapshot import snapshot_of
from obligation_tracker.ids import as_uuid

log = logging.getLogger(__name__)


class ContractNotYetKnown(LookupError):
    """The claim's contract, or the version that priced it, has not reached the tracker yet (the
    event is parked until it does).

    Raised before the use case writes anything, so parking the event leaves nothing half-applied."""

    def __init__(self, contract_id: str, organization_id: str, version: int | None = None) -> None:
        what = f"version {version} of contract {contract_id}" if version else f"contract {contract_id}"
        super().__init__(f"{what} is not in the projection yet")
        self.contract_id = contract_id
        self.organization_id = organization_id


class ClaimNotYetPriced(LookupError):
    """A payment or variance of a claim whose claim.priced (on another topic) has not been applied
    yet: it waits for it (parked).

    Raised before the use case writes anything, so parking the event leaves nothing half-applied."""

    def __init__(self, claim_id: str, organization_id: str, contract_id: str | None) -> None:
        super().__init__(f"claim {claim_id} is not priced yet: its pricing has not arrived")
        self.claim_id = claim_id
        self.organization_id = organization_id
        self.contract_id = contract_id


async def _known_contract(
    uow: UnitOfWork, contract_id: str, organization_id: str, *, hold: bool = True
) -> Any:
    projection = ContractProjection(uow.session)
    if hold and not run_memo.memo(uow).get(("held", contract_id)):
        await projection.hold(contract_id, exclusive=False)  # shared, until the transaction ends
        run_memo.memo(uow)[("held", contract_id)] = True
    held = await run_memo.once(uow, ("contract", contract_id), lambda: projection.get(contract_id))
    if held is None or held.organization_id != organization_id:
        raise ContractNotYetKnown(contract_id, organization_id)
    return held


async def claim_version(
    uow: UnitOfWork,
    contract_id: str,
    organization_id: str,
    date_of_service: date,
    priced_with: int | None,
    *,
    hold: bool = True,
) -> ContractVersionData:
    """The contract version whose terms set the claim's deadlines: the one that priced it, else the
    one in force on its date of service (a database from before versions were kept: the latest).
    Found once per unit of work for the same question (what it reads is read once per unit anyway)."""
    asked = (contract_id, organization_id, date_of_service, priced_with, hold)
    return await run_memo.once(uow, ("claim version", *asked), lambda: _claim_version(uow, *asked))


async def _claim_version(
    uow: UnitOfWork,
    contract_id: str,
    organization_id: str,
    date_of_service: date,
    priced_with: int | None,
    hold: bool,
) -> ContractVersionData:
    held = await _known_contract(uow, contract_id, organization_id, hold=hold)
    versions = ContractVersions(uow.session)
    periods = await run_memo.once(
        uow, ("periods", contract_id, organization_id), lambda: versions.periods(contract_id, organization_id)
    )
    if not periods:
        return await run_memo.once(uow, ("latest", contract_id), lambda: _version_data(held))
    number = version_for_claim(periods, date_of_service, priced_with)
    if number is None:
        raise ContractNotYetKnown(contract_id, organization_id, priced_with)
    return await run_memo.once(
        uow, ("version", contract_id, number), lambda: _version(versions, contract_id, number)
    )


async def _version(versions: ContractVersions, contract_id: str, number: int) -> ContractVersionData:
    return await _version_data(await versions.get(contract_id, number))


async def _version_data(row: Any) -> ContractVersionData:
    return ContractVersionData.model_validate(row.version_data)


def terms_of(data: ContractVersionData) -> ContractVersionSnapshot:
    return snapshot_of(data, data.effective_from)


def _terms(uow: UnitOfWork, data: ContractVersionData) -> ContractVersionSnapshot:
    return run_memo.per_version(uow, "terms", data, terms_of)


def _appeal_terms(uow: UnitOfWork, data: ContractVersionData) -> ContractVersionSnapshot:
    """The version's terms with only its appeal window: what a variance's deadline needs."""
    return run_memo.per_version(uow, "appeal terms", data, _appeal_only)


def _appeal_only(data: ContractVersionData) -> ContractVersionSnapshot:
    return replace(terms_of(data), timely_filing_days=None, prompt_pay_days=None)


async def on_claim_priced(event: CloudEvent, uow: UnitOfWork, tracker: Tracker) -> None:
    """Timely filing (settled at once when the payer's receipt date is known) and prompt pay, from
    the version that priced the claim; the pricing is recorded for the claim's later events."""
    claim = ClaimData.model_validate(event.data)
    if claim.contract_id is None:
        return
    org, pcn = claim.organization_id, claim.patient_control_number or None
    data = await claim_version(uow, claim.contract_id, org, claim.service_date, claim.contract_version)
    version = _terms(uow, data)
    # Alone on the claim: a payment or variance either sees this pricing or is parked before the
    # waiting events are looked for (handlers/parking.py).
    await claim_run.hold_claim(uow, org, claim.claim_id, exclusive=True)
    pricing = ClaimPricing(
        claim.claim_id, pcn, claim.contract_id, data.version, claim.service_date, claim.received_date
    )
    await claim_run.pricings(uow, org).record(pricing, tracker.now())
    schedule = await run_memo.schedule(uow, tracker, org)
    repo = await claim_run.obligations(uow, tracker, org)
    facts = ClaimDeadlineFacts(
        as_uuid(claim.claim_id),
        version.contract_id,
        claim.service_date,
        claim.received_date,
        patient_control_number=pcn,
        payer_name=data.payer_name,
    )
    refs = ObligationRefs(org, claim.contract_id, claim.claim_id, claim.payer_id, pcn, data.payer_name)
    for wanted in claim_obligations(facts, version, schedule):
        if wanted.kind is ObligationKind.TIMELY_FILING and claim.received_date is not None:
            wanted = _filed(wanted, claim.received_date)
        await upsert_claim_obligation(uow, repo, wanted, refs, tracker.now())


def _filed(timely_filing: Obligation, received_on: date) -> Obligation:
    if received_on <= timely_filing.due_date:
        return timely_filing.complete(f"filed: the payer received the claim on {received_on}")
    late = (received_on - timely_filing.due_date).days
    return timely_filing.breach(
        f"filed late: the payer received the claim on {received_on}, {late} days late"
    )


async def upsert_claim_obligation(
    uow: UnitOfWork, repo: ObligationRepository, wanted: Obligation, refs: ObligationRefs, now: datetime
) -> None:
    """Create it, or move it when a later event changes its date; settled ones are history."""
    held = await repo.by_key(wanted.key)
    if held is None:
        event_type = "obligation.created" if wanted.is_open else None
        await apply_change(uow, repo, Change(wanted, refs, "created", event_type, wanted.reasons[-1]), now)
        return
    current = held.obligation
    if current.is_open and wanted.is_open and current.due_date != wanted.due_date:
        why = f"moved from {current.due_date} to {wanted.due_date}: {wanted.reasons[-1]}"
        moved = replace(current.reschedule(wanted.due_date, wanted.due_at, why), title=wanted.title)
        change = Change(moved, held.refs, "rescheduled", "obligation.rescheduled", why, current.status)
        await apply_change(uow, repo, change, now)


async def on_claim_paid(event: CloudEvent, uow: UnitOfWork, tracker: Tracker) -> None:
    """Prompt pay completed, or breached with the interest the payer owes; timely filing is met.
    A payment for a claim whose pricing has not been applied yet waits for it (parked)."""
    paid = ClaimPaidData.model_validate(event.data)
    if paid.claim_id is None:
        return  # not matched to a claim: the engine matches by patient control number first
    if paid.contract_id is not None:  # the claim's deadlines come from it: wait for it
        await _known_contract(uow, paid.contract_id, paid.organization_id)
    await claim_run.hold_claim(uow, paid.organization_id, paid.claim_id, exclusive=False)
    pricing = await claim_run.pricings(uow, paid.organization_id).get(paid.claim_id)
    repo = await claim_run.obligations(uow, tracker, paid.organization_id)
    filing = await repo.for_claim(paid.claim_id, ObligationKind.TIMELY_FILING)
    prompt_pay = await repo.for_claim(paid.claim_id, ObligationKind.PROMPT_PAY)
    held = [s.obligation.kind for s in (filing, prompt_pay) if s is not None]
    if payment_awaits_pricing(held, priced=pricing is not None):
        raise ClaimNotYetPriced(paid.claim_id, paid.organization_id, paid.contract_id)
    settlement = None
    if prompt_pay is not None and prompt_pay.obligation.is_open:
        settlement = await _settle(uow, prompt_pay, paid, pricing)  # reads the contract before any write
    now = tracker.now()
    if filing is not None and filing.obligation.is_open:
        note = f"filed: the payer paid the claim on {paid.paid_date}"
        change = Change(
            filing.obligation.complete(note), filing.refs, "completed", None, note, filing.obligation.status
        )
        await apply_change(uow, repo, change, now)
    if settlement is not None:
        await apply_change(uow, repo, settlement, now)


async def _settle(
    uow: UnitOfWork, held: StoredObligation, paid: ClaimPaidData, pricing: ClaimPricing | None
) -> Change:
    # The deadline came from the contract, so it is held: no lock, which would come after the
    # claim's (locks go contract first, then claim)
    org, contract_id = held.refs.organization_id, held.refs.contract_id
    dos = pricing.service_date if pricing else paid.paid_date
    number = pricing.contract_version if pricing and pricing.contract_id == contract_id else None
    version = _terms(uow, await claim_version(uow, contract_id, org, dos, number, hold=False))
    current = held.obligation
    assessment = assess_prompt_pay(
        current.due_date, paid.paid_date, paid.paid_amount, version.prompt_pay_interest_rate_annual
    )
    settled = settle_prompt_pay(current, assessment)
    if assessment.breached:
        return Change(
            settled,
            held.refs,
            "breached",
            "obligation.breached",
            settled.reasons[-1],
            current.status,
            interest_owed=assessment.interest_owed,
        )
    return Change(
        settled, held.refs, "completed", "obligation.completed", settled.reasons[-1], current.status
    )


async def on_claim_variance(event: CloudEvent, uow: UnitOfWork, tracker: Tracker) -> None:
    """An underpaid or (partly) denied claim opens an appeal deadline: remittance + the appeal window
    of the version that priced the claim. A variance of a claim not priced yet waits (parked)."""
    variance = ClaimVarianceData.model_validate(event.data)
    outcome = appealable_outcome(variance.classification)
    if outcome is None or variance.contract_id is None:
        return
    org, claim_id = variance.organization_id, variance.claim_id
    await _known_contract(uow, variance.contract_id, org)
    await claim_run.hold_claim(uow, org, claim_id, exclusive=True)
    pricing = await claim_run.pricings(uow, org).get(claim_id)
    repo = await claim_run.obligations(uow, tracker, org)
    if pricing is None and await repo.for_claim(claim_id, ObligationKind.TIMELY_FILING) is None:
        raise ClaimNotYetPriced(claim_id, org, variance.contract_id)  # (a claim priced before
        # pricings were recorded holds its timely filing deadline)
    data = await _priced_version(uow, variance.contract_id, org, pricing)
    appeal_only = _appeal_terms(uow, data)
    pcn = variance.patient_control_number or (pricing.patient_control_number if pricing else None)
    facts = ClaimDeadlineFacts(
        as_uuid(claim_id),
        appeal_only.contract_id,
        variance.remittance_date,
        remitted_on=variance.remittance_date,
        outcome=outcome,
        patient_control_number=pcn,
        payer_name=data.payer_name,
    )
    schedule = await run_memo.schedule(uow, tracker, org)
    refs = ObligationRefs(org, variance.contract_id, claim_id, variance.payer_id, pcn, data.payer_name)
    for wanted in claim_obligations(facts, appeal_only, schedule):
        await upsert_claim_obligation(uow, repo, wanted, refs, tracker.now())


async def _priced_version(
    uow: UnitOfWork, contract_id: str, organization_id: str, pricing: ClaimPricing | None
) -> ContractVersionData:
    if pricing is None or pricing.contract_id != contract_id:
        held = await _known_contract(uow, contract_id, organization_id, hold=False)
        return await run_memo.once(uow, ("latest", contract_id), lambda: _version_data(held))
    return await claim_version(
        uow, contract_id, organization_id, pricing.service_date, pricing.contract_version, hold=False
    )
