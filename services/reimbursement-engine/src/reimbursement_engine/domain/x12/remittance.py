"""The 835 remittance advice as plain records (005010X221A1). Money is Decimal.

Patient names are not kept; the member id (NM1*QC / NM1*IL NM109) is, for matching.
`segment_index` is the 0-based position in the file of the segment a record comes from.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .codes import ProcedureCode
from .errors import Finding

# CLP02 claim status code of a reversal of an earlier payment.
REVERSAL = "22"


@dataclass(frozen=True, slots=True)
class Adjustment:
    """One CAS triplet: group CO/PR/OA/PI/CR, CARC reason code, amount, optional quantity."""

    group_code: str
    reason_code: str
    amount: Decimal
    quantity: Decimal | None
    segment_index: int


@dataclass(frozen=True, slots=True)
class ServicePayment:
    """Loop 2110: one service line as adjudicated."""

    procedure: ProcedureCode | None
    charge: Decimal
    paid: Decimal
    revenue_code: str | None
    units: Decimal | None
    original_procedure: ProcedureCode | None
    original_units: Decimal | None
    service_date: date | None
    service_end_date: date | None
    adjustments: tuple[Adjustment, ...]
    allowed: Decimal | None
    amounts: tuple[tuple[str, Decimal], ...]
    remark_codes: tuple[str, ...]
    line_control_number: str | None
    segment_index: int


@dataclass(frozen=True, slots=True)
class ClaimPayment:
    """Loop 2100: one claim as adjudicated (CLP and what follows it)."""

    patient_control_number: str
    status_code: str
    charge: Decimal
    paid: Decimal
    patient_responsibility: Decimal | None
    claim_filing_indicator: str | None
    payer_claim_control_number: str
    facility_code: str | None
    frequency_code: str | None
    drg_code: str | None
    member_id: str | None
    statement_start: date | None
    statement_end: date | None
    received_date: date | None
    adjustments: tuple[Adjustment, ...]
    amounts: tuple[tuple[str, Decimal], ...]
    remark_codes: tuple[str, ...]
    lines: tuple[ServicePayment, ...]
    segment_index: int

    @property
    def all_adjustments(self) -> tuple[Adjustment, ...]:
        """Claim-level and line-level CAS together."""
        return self.adjustments + tuple(a for line in self.lines for a in line.adjustments)

    @property
    def total_patient_responsibility(self) -> Decimal:
        """CLP05 when given, else the sum of the PR-group adjustments."""
        if self.patient_responsibility is not None:
            return self.patient_responsibility
        return sum((a.amount for a in self.all_adjustments if a.group_code == "PR"), Decimal(0))


@dataclass(frozen=True, slots=True)
class ProviderAdjustment:
    """One PLB reason/amount pair; reason "WO:123" gives reason_code WO, reference "123"."""

    provider_id: str
    fiscal_period_date: date
    reason_code: str
    reference: str | None
    amount: Decimal
    segment_index: int


@dataclass(frozen=True, slots=True)
class Party:
    """N1*PR (payer) or N1*PE (payee): name and identifier with its qualifier."""

    name: str
    id_qualifier: str | None
    id: str | None


@dataclass(frozen=True, slots=True)
class Payment835:
    """A transaction's payment as its header states it (BPR, TRN, DTM*405, N1*PR, N1*PE): what an
    835 says before its first claim."""

    control_number: str
    version: str
    handling_code: str
    total_paid: Decimal
    credit_debit: str
    payment_method: str | None
    payment_date: date | None
    trace_number: str
    trace_originator_id: str
    production_date: date | None
    payer: Party
    payee: Party
    bpr_segment_index: int


@dataclass(frozen=True, slots=True)
class Transaction835:
    """One ST..SE remittance: a single payment (BPR/TRN) covering claims and PLB adjustments."""

    control_number: str
    version: str
    handling_code: str
    total_paid: Decimal
    credit_debit: str
    payment_method: str | None
    payment_date: date | None
    trace_number: str
    trace_originator_id: str
    production_date: date | None
    payer: Party
    payee: Party
    claims: tuple[ClaimPayment, ...]
    provider_adjustments: tuple[ProviderAdjustment, ...]
    segment_count: int
    declared_segment_count: int
    bpr_segment_index: int
    se_segment_index: int
    notes: tuple[Finding, ...]

    @property
    def payment(self) -> Payment835:
        """The header of this transaction."""
        return Payment835(
            self.control_number,
            self.version,
            self.handling_code,
            self.total_paid,
            self.credit_debit,
            self.payment_method,
            self.payment_date,
            self.trace_number,
            self.trace_originator_id,
            self.production_date,
            self.payer,
            self.payee,
            self.bpr_segment_index,
        )


@dataclass(frozen=True, slots=True)
class Remittance835:
    """All 835 transactions of one interchange."""

    sender_id: str
    receiver_id: str
    interchange_control_number: str
    transactions: tuple[Transaction835, ...]
    envelope_findings: tuple[Finding, ...] = ()

    @property
    def claims(self) -> tuple[ClaimPayment, ...]:
        return tuple(c for t in self.transactions for c in t.claims)
