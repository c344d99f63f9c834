"""Term selection: which term prices a line (carve-outs first, then terms in contract order)."""

from __future__ import annotations

from .claim import Claim, ClaimLine
from .codes import CodeSystem, ServiceCategory
from .terms import ContractTerms, PaymentTerm

_CACHE_LIMIT = 100_000


def code_in_system(line: ClaimLine, system: CodeSystem) -> str | None:
    """The line's code in a code system: its own code, or its revenue code for revenue terms."""
    if line.code_system is system:
        return line.code
    if system is CodeSystem.REVENUE:
        return line.revenue_code
    return None


def covers_line(category: ServiceCategory, line: ClaimLine, place_of_service: str | None) -> bool:
    code = code_in_system(line, category.code_system)
    return code is not None and category.covers(category.code_system, code, place_of_service)


def select_line_term(
    contract: ContractTerms, line: ClaimLine, place_of_service: str | None
) -> tuple[PaymentTerm | None, bool]:
    """(term, is carve-out) for a line; (None, False) when no term covers it (memoised)."""
    key = (line.code_system, line.code, line.revenue_code, place_of_service)
    cache = contract.selection_cache
    selected = cache.get(key)
    if selected is None:
        selected = _select_line_term(contract, line, place_of_service)
        if len(cache) >= _CACHE_LIMIT:
            cache.clear()
        cache[key] = selected
    return selected


def _select_line_term(
    contract: ContractTerms, line: ClaimLine, place_of_service: str | None
) -> tuple[PaymentTerm | None, bool]:
    for term in contract.carve_outs:
        if covers_line(term.category, line, place_of_service):
            return term, True
    for term in contract.terms:
        if not term.is_case and covers_line(term.category, line, place_of_service):
            return term, False
    return None, False


def select_case_term(
    contract: ContractTerms, claim: Claim, open_lines: list[ClaimLine]
) -> PaymentTerm | None:
    """The first case term (DRG or case rate) the claim triggers, from lines not carved out.

    A DRG-category term triggers on the claim's DRG; other case terms on any covered line.
    """
    for term in contract.terms:
        if not term.is_case:
            continue
        category = term.category
        if category.code_system is CodeSystem.MS_DRG:
            if claim.drg is not None and category.covers(
                CodeSystem.MS_DRG, claim.drg, claim.place_of_service
            ):
                return term
        elif any(
            covers_line(category, line, line.place_of_service or claim.place_of_service)
            for line in open_lines
        ):
            return term
    return None
