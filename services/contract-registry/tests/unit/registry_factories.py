"""Builders for the registry's unit tests: a typical commercial contract a hospital would sign."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from contract_registry.domain import (
    AnniversaryEscalator,
    CarveOut,
    CodeFloor,
    CodeMatcher,
    CodeRange,
    CodeSystem,
    Contract,
    ContractTerms,
    FeeScheduleRef,
    FeeScheduleRow,
    FeeScheduleTerm,
    InvoiceCostTerm,
    LevelOfCareRate,
    LineOfBusiness,
    MeasureDirection,
    MsDrgTerm,
    MultipleProcedureReduction,
    PaymentTerm,
    PercentOfMedicareTerm,
    PerDiemTerm,
    QualityMeasure,
    RateKind,
    ReviewDecision,
    RiskCorridor,
    StopLoss,
    ValueBasedTerms,
)

D = Decimal
EFFECTIVE = date(2024, 1, 1)
TERMINATION = date(2024, 12, 31)


def professional_term() -> PaymentTerm:
    """E/M and surgery at 120% of Medicare, lesser of billed, MPPR 100/50, 3% escalator."""
    return PaymentTerm(
        name="Professional services",
        service_category="professional",
        matcher=CodeMatcher(
            (CodeRange(CodeSystem.CPT, "10004", "69990"), CodeRange(CodeSystem.CPT, "99202", "99499"))
        ),
        methodology=PercentOfMedicareTerm(D("120")),
        lesser_of_billed=True,
        multiple_procedure_reduction=MultipleProcedureReduction((D("100"), D("50"))),
        escalators=(AnniversaryEscalator(D("3")),),
        floors=(CodeFloor(CodeSystem.CPT, "99213", D("85.00")),),
    )


def lab_term() -> PaymentTerm:
    return PaymentTerm(
        name="Laboratory",
        service_category="outpatient",
        matcher=CodeMatcher((CodeRange(CodeSystem.CPT, "80047", "89398"),)),
        methodology=FeeScheduleTerm("lab-2024"),
    )


def inpatient_term() -> PaymentTerm:
    """MS-DRG at $6,500 base, stop-loss above $150,000 at 65%, implants at invoice + 10%."""
    return PaymentTerm(
        name="Inpatient",
        service_category="inpatient",
        matcher=CodeMatcher((CodeRange(CodeSystem.MSDRG),)),
        methodology=MsDrgTerm(D("6500.00"), D("150000.00"), D("65")),
        stop_loss=StopLoss(D("150000.00"), D("65")),
        carve_outs=(
            CarveOut(
                "Implants",
                CodeMatcher.codes(CodeSystem.REV, "0275", "0276", "0278"),
                InvoiceCostTerm(D("10")),
            ),
        ),
    )


def rehab_term() -> PaymentTerm:
    return PaymentTerm(
        name="Inpatient rehab",
        service_category="inpatient",
        matcher=CodeMatcher((CodeRange(CodeSystem.REV, "0118", "0118"),)),
        methodology=PerDiemTerm(
            (LevelOfCareRate("rehab", D("1850.00")), LevelOfCareRate("ICU", D("4200.00")))
        ),
    )


def value_based() -> ValueBasedTerms:
    period = {"period_start": date(2024, 1, 1), "period_end": date(2024, 12, 31)}
    return ValueBasedTerms(
        measures=(
            QualityMeasure(
                name="30-day readmission rate",
                target=D("15.5"),
                direction=MeasureDirection.LOWER_IS_BETTER,
                weight=D("60"),
                **period,
            ),
            QualityMeasure(
                name="HbA1c control",
                target=D("70"),
                direction=MeasureDirection.HIGHER_IS_BETTER,
                weight=D("40"),
                **period,
            ),
        ),
        shared_savings_percent=D("50"),
        risk_corridor=RiskCorridor(D("2"), D("10")),
    )


def contract_terms(**overrides: Any) -> ContractTerms:
    terms = ContractTerms(
        effective_date=EFFECTIVE,
        termination_date=TERMINATION,
        auto_renew=True,
        renewal_term_months=12,
        notice_days=90,
        timely_filing_days=95,
        appeal_window_days=180,
        prompt_pay_days=30,
        prompt_pay_interest_rate=D("18"),
        payment_terms=(professional_term(), lab_term(), inpatient_term(), rehab_term()),
        fee_schedule=FeeScheduleRef("lab-2024", "ab" * 32, 2),
        value_based=value_based(),
    )
    return replace(terms, **overrides)


def decision(role: str, comment: str = "") -> ReviewDecision:
    return ReviewDecision(
        role, f"{role}-lead@hospital.example", datetime(2023, 12, 1, 9, 30, tzinfo=UTC), comment
    )


def draft_contract(roles: frozenset[str] = frozenset({"legal", "finance"}), **terms: Any) -> Contract:
    contract = Contract.create(
        id="C-1",
        provider_organisation_id="org-st-mary",
        payer_id="payer-acme",
        line_of_business=LineOfBusiness.COMMERCIAL,
        terms=contract_terms(**terms),
        plan_ids=("ppo-gold",),
        required_approver_roles=roles,
    )
    return contract


def active_contract(today: date = date(2023, 12, 15), **terms: Any) -> Contract:
    contract = draft_contract(**terms)
    contract.submit_for_review()
    for role in sorted(contract.required_approver_roles):
        contract.approve(decision(role))
    contract.activate(today)
    contract.drain_events()
    return contract


def fee_row(**overrides: Any) -> FeeScheduleRow:
    """CPT 99213 at $88.95 (CY2025 national non-facility) from 2025-01-01."""
    fields: dict[str, Any] = {
        "code_system": CodeSystem.CPT,
        "code": "99213",
        "rate_kind": RateKind.AMOUNT,
        "amount": D("88.95"),
        "effective_from": date(2025, 1, 1),
    }
    fields.update(overrides)
    return FeeScheduleRow(**fields)
