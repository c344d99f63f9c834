"""Throughput benchmark: price N generated lines in process and report lines per second.

uv run python -m reimbursement_engine.bench.pricing 200000
"""

from __future__ import annotations

import sys
import time
from datetime import date
from decimal import Decimal

from reimbursement_engine.domain.pricing.claim import Claim, ClaimLine
from reimbursement_engine.domain.pricing.codes import CodeSystem, ServiceCategory, codes
from reimbursement_engine.domain.pricing.engine import price_claim
from reimbursement_engine.domain.pricing.escalators import AnniversaryEscalator
from reimbursement_engine.domain.pricing.fee_schedule import FeeSchedule, FeeScheduleRow
from reimbursement_engine.domain.pricing.medicare import (
    Gpci,
    LocalityKey,
    MedicareReference,
    MedicareYear,
    RvuRow,
)
from reimbursement_engine.domain.pricing.terms import (
    ContractTerms,
    FeeScheduleRate,
    MultipleProcedureReduction,
    PaymentTerm,
    PercentOfMedicare,
)

LINES_PER_CLAIM = 5
_LOCALITY = LocalityKey("01112", "54")
SURGERY = [f"{10000 + i}" for i in range(200)]
VISITS = [f"{99202 + i}" for i in range(12)]
SERVICE_DATE = date(2025, 3, 14)


def medicare_reference() -> MedicareReference:
    rvus = {
        (code, ""): RvuRow(
            code, "", "A", Decimal("5.5"), Decimal("7.25"), Decimal("3.1"), Decimal("0.9"), mult_proc="2"
        )
        for code in SURGERY
    }
    gpci = Gpci(_LOCALITY, "BAKERSFIELD", "CA", Decimal("1.017"), Decimal("1.093"), Decimal("0.662"))
    return MedicareReference(years={2025: MedicareYear(2025, rvus, {_LOCALITY: gpci})})


def bench_contract() -> ContractTerms:
    rows = tuple(
        FeeScheduleRow(CodeSystem.CPT_HCPCS, code, Decimal("90") + i, place_of_service=pos)
        for i, code in enumerate(VISITS)
        for pos in (None, "11", "22")
    )
    visits = PaymentTerm(
        "office visits",
        ServiceCategory("E/M", CodeSystem.CPT_HCPCS, codes("99202-99499")),
        FeeScheduleRate(FeeSchedule("bench", rows)),
        lesser_of_charges=True,
    )
    surgery = PaymentTerm(
        "surgery",
        ServiceCategory("surgery", CodeSystem.CPT_HCPCS, codes("10000-69999")),
        PercentOfMedicare(Decimal("140")),
        lesser_of_charges=True,
        multiple_procedure=MultipleProcedureReduction(),
    )
    return ContractTerms(
        "bench",
        1,
        (visits, surgery),
        escalator=AnniversaryEscalator(date(2022, 7, 1), Decimal(3)),
    )


def claim_lines(first: int, count: int = LINES_PER_CLAIM) -> tuple[ClaimLine, ...]:
    """Lines `first` .. `first + count - 1` of the stream: three office visits then two surgical
    procedures per claim, charges $250.00 + k."""
    return tuple(
        ClaimLine(
            line_number=k + 1,
            code=VISITS[(first + k) % len(VISITS)] if k < 3 else SURGERY[(first + k) % len(SURGERY)],
            units=Decimal(1),
            charge=Decimal("250.00") + k,
            service_date=SERVICE_DATE,
        )
        for k in range(count)
    )


def generate_claims(line_count: int) -> list[Claim]:
    """Claims of five lines: three office visits and two surgical procedures each."""
    return [
        Claim(
            f"PCN{n}",
            "PAYER1",
            SERVICE_DATE,
            SERVICE_DATE,
            claim_lines(n, min(LINES_PER_CLAIM, line_count - n)),
            place_of_service="11",
            medicare_locality=_LOCALITY,
        )
        for n in range(0, line_count, LINES_PER_CLAIM)
    ]


def run(line_count: int = 100_000) -> float:
    """Price `line_count` generated lines; return lines per CPU second (one core, in process).

    CPU time rather than wall time, so a busy shared machine does not halve the figure.
    """
    claims = generate_claims(line_count)
    contract, medicare, as_of = bench_contract(), medicare_reference(), date(2025, 4, 1)
    started = time.process_time()
    for claim in claims:
        price_claim(claim, contract, medicare, as_of)
    elapsed = max(time.process_time() - started, 1e-9)
    return line_count / elapsed


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    print(f"{run(count):,.0f} lines/s")
