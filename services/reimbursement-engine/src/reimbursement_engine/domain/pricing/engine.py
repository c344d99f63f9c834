"""price_claim: expected allowed for a claim, line by line, under the contract terms in force."""

from __future__ import annotations

from datetime import date

from .adjustments import (
    apply_lesser_of,
    apply_medicare_multiple_procedure,
    apply_multiple_procedure,
    check_floor,
)
from .cases import price_case, price_stop_loss
from .claim import Claim
from .codes import setting_for
from .explanation import LineStatus, PricedCase, PricedClaim, StepKind
from .medicare import MedicareReference
from .methodologies import price_base
from .money import ZERO
from .selection import select_case_term, select_line_term
from .terms import ContractTerms, PaymentTerm
from .work import LineWork, PricingContext


def _select(ctx: PricingContext) -> list[LineWork]:
    works = []
    for line in ctx.claim.lines:
        place = line.place_of_service or ctx.claim.place_of_service
        work = LineWork(line, place, setting_for(place))
        work.term, work.carved_out = select_line_term(ctx.contract, line, place)
        works.append(work)
    return works


def _price_lines(works: list[LineWork], case_term: PaymentTerm | None, ctx: PricingContext) -> None:
    for work in works:
        term = work.term
        if work.carved_out or (case_term is None and term is not None):
            assert term is not None
            work.add(StepKind.TERM, term.as_carve_out if work.carved_out else term.as_term)
            price_base(work, ctx)
        elif case_term is not None:
            work.term = case_term
            work.settle(LineStatus.INCLUDED, StepKind.INCLUDED, "included in {0}", case_term.name)
        else:
            line = work.line
            work.settle(
                LineStatus.NOT_COVERED,
                StepKind.NOT_COVERED,
                "no term of {0} covers {1} {2}",
                ctx.contract.label,
                line.code_system.value,
                line.code,
            )


def price_claim(
    claim: Claim, contract: ContractTerms, medicare: MedicareReference, as_of: date
) -> PricedClaim:
    """Price every line; claim-level cases (DRG, case rate, stop-loss) are listed apart.

    `as_of` is the pricing date recorded on the result; rates follow each line's date of service.
    """
    ctx = PricingContext(claim, contract, medicare)
    works = _select(ctx)
    open_lines = [w.line for w in works if not w.carved_out]
    case_term = select_case_term(contract, claim, open_lines)
    _price_lines(works, case_term, ctx)
    apply_multiple_procedure(works, ctx)
    apply_medicare_multiple_procedure(works)
    for work in works:
        if work.term is not None:
            apply_lesser_of(work, work.term)
        check_floor(work, ctx)
    cases: list[PricedCase] = []
    if case_term is not None:
        case_charges = sum((line.charge for line in open_lines), ZERO)
        cases.append(price_case(case_term, ctx, case_charges))
    stop_loss = price_stop_loss(ctx)
    if stop_loss is not None:
        cases.append(stop_loss)
    lines = tuple(work.frozen() for work in works)
    total = sum((line.expected_allowed for line in lines), ZERO)
    total += sum((case.expected_allowed for case in cases), ZERO)
    return PricedClaim(
        patient_control_number=claim.patient_control_number,
        contract=contract.label,
        priced_as_of=as_of,
        lines=lines,
        cases=tuple(cases),
        total_charges=claim.total_charges,
        expected_allowed=total,
    )
