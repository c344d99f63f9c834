"""Price a claim whose lines may fall under different contract versions (by date of service)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from decimal import Decimal

from reimbursement_engine.domain.pricing import (
    Claim,
    ContractTerms,
    MedicareReference,
    PricedClaim,
    price_claim,
)


def price_by_date_of_service(
    claim: Claim,
    terms_on: Callable[[date], ContractTerms],
    medicare: MedicareReference,
    as_of: date,
) -> PricedClaim:
    """Each line is priced with the terms in force on its own date of service.

    Lines under one version (the usual case) are priced together; otherwise each version prices
    its own lines as a sub-claim and the results are joined in line order.
    """
    groups: dict[int, list[int]] = {}
    terms_by_id: dict[int, ContractTerms] = {}
    for index, line in enumerate(claim.lines):
        terms = terms_on(line.service_date)
        terms_by_id[id(terms)] = terms
        groups.setdefault(id(terms), []).append(index)
    if len(groups) == 1:
        return price_claim(claim, next(iter(terms_by_id.values())), medicare, as_of)
    parts = []
    for key, indexes in groups.items():
        lines = tuple(claim.lines[i] for i in indexes)
        dates = [line.service_date for line in lines]
        part = replace(claim, lines=lines, service_from=min(dates), service_to=max(dates))
        parts.append(price_claim(part, terms_by_id[key], medicare, as_of))
    lines_out = tuple(sorted((line for p in parts for line in p.lines), key=lambda line: line.line_number))
    return PricedClaim(
        patient_control_number=claim.patient_control_number,
        contract=" + ".join(p.contract for p in parts),
        priced_as_of=as_of,
        lines=lines_out,
        cases=tuple(case for p in parts for case in p.cases),
        total_charges=claim.total_charges,
        expected_allowed=sum((p.expected_allowed for p in parts), Decimal(0)),
    )
