"""Appeal packets: draft one for one or more variances, send it (claim.appeal_sent, which the notifier
mails with the PDF attached; the variances move to appealed), track it, and keep the letter template."""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from accord_common.auth import Principal
from accord_common.errors import Conflict, Unprocessable
from accord_common.events import CloudEvent, new_event
from accord_common.uow import UnitOfWork
from sqlalchemy.ext.asyncio import AsyncSession

from reimbursement_engine.adapters.appeal_letters import (
    TemplateRefused,
    context,
    default_template,
    render_html,
    render_pdf,
    validate_template,
)
from reimbursement_engine.adapters.appeal_repo import AppealRepository, adjustments_of
from reimbursement_engine.adapters.claims_repo import ClaimsRepository
from reimbursement_engine.adapters.explanation_store import read_text
from reimbursement_engine.adapters.variance_repo import VarianceRepository
from reimbursement_engine.domain.appeals import (
    AppealRefused,
    AppealStatus,
    ClaimCited,
    ContractCited,
    LineCited,
    Packet,
    build_packet,
    check_move,
    one_payer_and_contract,
)
from reimbursement_engine.handlers import SOURCE
from reimbursement_engine.handlers.variances import status_changed_event


async def draft(uow: UnitOfWork, who: Principal, variance_ids: list[str], organization_name: str) -> str:
    """Render and keep the letter for `variance_ids` (status draft); returns the appeal id."""
    async with uow:
        repo = AppealRepository(uow.session, who.organization_id)
        packet, version = await _packet(uow.session, who.organization_id, variance_ids)
        now = datetime.now(UTC)
        appeal_id = str(uuid.uuid4())
        reference = f"APL-{now:%Y%m%d}-{appeal_id[:8].upper()}"  # unique without counting (no race)
        source = await repo.template() or default_template()
        try:
            html = render_html(source, context(packet, organization_name, now.date(), reference))
            pdf = render_pdf(html)
        except TemplateRefused as exc:
            raise Unprocessable(f"the organisation's appeal template: {exc}")
        await repo.add(
            {
                "id": appeal_id,
                "reference": reference,
                "payer_id": packet.payer_id,
                "contract_id": packet.contract.contract_id,
                "contract_version": version,
                "variance_ids": sorted(set(variance_ids)),
                "status": AppealStatus.DRAFT.value,
                "amount_due": packet.amount_due,
                "deadline": packet.deadline,
                "recipients": [],
                "html": html,
                "pdf": pdf,
                "created_at": now,
                "updated_at": now,
            }
        )
        await repo.audit(appeal_id, who.name, (None, AppealStatus.DRAFT.value), None, packet.amount_due)
        await uow.commit()
    return appeal_id


async def _packet(session: AsyncSession, org: str, variance_ids: list[str]) -> tuple[Packet, int]:
    variances = VarianceRepository(session, org)
    rows = [await variances.get(v) for v in dict.fromkeys(variance_ids)]
    try:
        payer, contract_id = one_payer_and_contract([(r.payer_id, r.contract_id) for r in rows])
    except AppealRefused as exc:
        raise Unprocessable(str(exc), errors=[{"field": "variance_ids", "message": str(exc)}])
    claims_repo = ClaimsRepository(session, org)
    claims = [await claims_repo.get(r.claim_id) for r in rows]
    version = max(c.contract_version or 0 for c in claims)
    appeals = AppealRepository(session, org)
    head, data = await appeals.contract(contract_id, version)
    lines = await claims_repo.lines([c.id for c in claims])
    cited = [await _claim(appeals, r, c, lines[c.id]) for r, c in zip(rows, claims, strict=True)]
    terms = data.get("terms") or {}
    contract = ContractCited(
        contract_id,
        head.contract_name or data.get("contract_name") or contract_id,
        version,
        date.fromisoformat(str(data["effective_from"])),
        _day(data.get("effective_to") or terms.get("termination_date")),
        terms.get("appeal_window_days"),
    )
    try:
        packet = build_packet(payer, data.get("payer_name") or payer, contract, cited)
    except AppealRefused as exc:
        raise Unprocessable(str(exc), errors=[{"field": "variance_ids", "message": str(exc)}])
    return packet, version


def _day(value: Any) -> date | None:
    """The version's end, else the contract's termination date (None: open-ended)."""
    return date.fromisoformat(str(value)) if value else None


async def _claim(appeals: AppealRepository, variance: Any, claim: Any, lines: list[Any]) -> ClaimCited:
    payment, paid_lines = await appeals.payment(variance.claim_payment_id)
    by_number = {str(p.line_control_number): p for p in paid_lines if p.line_control_number}
    cited = []
    for index, line in enumerate(lines):
        paid = by_number.get(str(line.line_number)) or (
            paid_lines[index] if index < len(paid_lines) else None
        )
        cited.append(
            LineCited(
                line.line_number,
                line.code,
                line.modifiers,
                line.units,
                line.charge,
                line.term,
                line.expected_allowed or Decimal(0),
                paid.paid if paid is not None else Decimal(0),
                adjustments_of(paid.adjustments if paid is not None else []),
                tuple(paid.remark_codes or ()) if paid is not None else (),
            )
        )
    return ClaimCited(
        variance.id,
        claim.id,
        claim.patient_control_number,
        payment.payer_claim_control_number if payment is not None else None,
        claim.service_date,
        variance.remittance_date,
        variance.classification,
        variance.status,
        variance.expected_allowed,
        variance.paid,
        variance.patient_responsibility,
        variance.variance,
        adjustments_of(payment.adjustments if payment is not None else []),
        tuple(
            line
            for line in (read_text(claim.explanation, claim.explanation_steps) or "").splitlines()
            if line.strip()
        ),
        tuple(cited),
    )


async def send(uow: UnitOfWork, who: Principal, appeal_id: str, recipients: list[str]) -> None:
    """Mail the letter (claim.appeal_sent) and move its open variances to appealed, in one commit."""
    async with uow:
        repo = AppealRepository(uow.session, who.organization_id)
        row = await repo.get(appeal_id, for_update=True)
        _move(row.status, AppealStatus.SENT.value)
        now = datetime.now(UTC)
        await repo.update(
            appeal_id, {"status": "sent", "recipients": recipients, "sent_at": now, "updated_at": now}
        )
        await repo.audit(
            appeal_id, who.name, (row.status, "sent"), f"mailed to {', '.join(recipients)}", None
        )
        uow.publish(_sent_event(row, recipients))
        variances = VarianceRepository(uow.session, who.organization_id)
        for variance_id in row.variance_ids:
            await _appeal_variance(uow, variances, who, variance_id, row.reference, now)
        await uow.commit()


async def _appeal_variance(
    uow: UnitOfWork, repo: VarianceRepository, who: Principal, variance_id: str, reference: str, now: datetime
) -> None:
    variance = await repo.get(variance_id, for_update=True)
    if variance.status != "open":
        return
    note = f"appeal {reference} sent"
    await repo.update(variance_id, {"status": "appealed", "updated_at": now})
    await repo.audit(variance_id, who.name, "open", "appealed", note, None)
    uow.publish(status_changed_event(variance, "appealed", now, note, None))


def _sent_event(row: Any, recipients: list[str]) -> CloudEvent:
    subject = f"Appeal {row.reference}: ${row.amount_due:,.2f} due under contract"
    data = {
        "appeal_id": row.id,
        "organization_id": row.organization_id,
        "reference": row.reference,
        "payer_id": row.payer_id,
        "contract_id": row.contract_id,
        "variance_ids": list(row.variance_ids),
        "recipients": recipients,
        "subject": subject,
        "text": f"Please find attached our appeal {row.reference} for ${row.amount_due:,.2f}.",
        "html": row.html,
        "amount_due": row.amount_due,
        "deadline": row.deadline,
        "pdf_filename": f"{row.reference}.pdf",
        "pdf_base64": base64.b64encode(row.pdf).decode("ascii"),
    }
    return new_event(
        "claim.appeal_sent", source=SOURCE, subject=row.id, data=data, organization_id=row.organization_id
    )


async def move(
    uow: UnitOfWork, who: Principal, appeal_id: str, target: str, note: str | None, amount: Decimal | None
) -> None:
    """acknowledged, paid (with the amount), denied again, escalated; audited."""
    async with uow:
        repo = AppealRepository(uow.session, who.organization_id)
        row = await repo.get(appeal_id, for_update=True)
        _move(row.status, target)
        values: dict[str, Any] = {"status": target, "updated_at": datetime.now(UTC)}
        if target == AppealStatus.PAID.value:
            values["amount_paid"] = amount if amount is not None else row.amount_due
        await repo.update(appeal_id, values)
        await repo.audit(appeal_id, who.name, (row.status, target), note, amount)
        await uow.commit()


def _move(current: str, target: str) -> None:
    try:
        check_move(current, target)
    except AppealRefused as exc:
        raise Conflict(str(exc))


async def save_template(uow: UnitOfWork, org: str, source: str) -> None:
    try:
        validate_template(source)
    except TemplateRefused as exc:
        raise Unprocessable(str(exc), errors=[{"field": "template", "message": str(exc)}])
    async with uow:
        await AppealRepository(uow.session, org).set_template(source)
        await uow.commit()
