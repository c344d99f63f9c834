"""Which contract prices a claim when a payer holds several with the organisation.

A contract's scope (line of business, plans, claim types, types of bill, billing TINs and NPIs)
either matches what the claim says, conflicts with it (the contract is ruled out) or cannot be
checked (the claim does not say). Among the contracts in force on the date of service that nothing
rules out, the one matching the most criteria wins; two equally good ones make the claim ambiguous
and it is never priced silently. A contract named on the claim wins over matching.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from .contract_choice import NOT_IN_FORCE, VersionRef, choose_version


class ClaimType(StrEnum):
    """837P professional (CMS-1500) or 837I institutional (UB-04, with a type of bill)."""

    PROFESSIONAL = "professional"
    INSTITUTIONAL = "institutional"


class ChoiceOutcome(StrEnum):
    CHOSEN = "chosen"
    NONE = "none"
    AMBIGUOUS = "ambiguous"


@dataclass(frozen=True, slots=True)
class ClaimRoute:
    """What a claim says about where it belongs: payer, plan, claim type and billing provider."""

    payer_id: str
    claim_type: ClaimType
    contract_id: str | None = None
    type_of_bill: str | None = None
    line_of_business: str | None = None
    plan_id: str | None = None
    billing_tin: str | None = None
    billing_npi: str | None = None

    @property
    def bill_type(self) -> str | None:
        """Facility type + bill classification (TOB 0131 -> "13"), the part a contract names."""
        if not self.type_of_bill or len(self.type_of_bill) not in (3, 4):
            return None
        digits = self.type_of_bill[1:] if len(self.type_of_bill) == 4 else self.type_of_bill
        return digits[:2]


@dataclass(frozen=True, slots=True)
class Assessment:
    """One contract against one claim: criteria matched, and what rules it out (if anything)."""

    ref: VersionRef
    matched: tuple[str, ...]
    conflicts: tuple[str, ...]

    @property
    def score(self) -> int:
        return len(self.matched)

    def describe(self) -> str:
        matched = ", ".join(self.matched) or "no criterion beyond payer and date"
        return f"{self.ref.label} (matches {matched})"


@dataclass(frozen=True, slots=True)
class ContractChoice:
    """The outcome for one claim and date of service, with the reason in words."""

    outcome: ChoiceOutcome
    ref: VersionRef | None
    reason: str


def canonical_tin(tin: str | None) -> str | None:
    if not tin:
        return None
    digits = tin.replace("-", "")
    return f"{digits[:2]}-{digits[2:]}"


def _criterion(
    name: str, allowed: frozenset[str], claimed: str | None, matched: list[str], conflicts: list[str]
) -> None:
    if not allowed or claimed is None:
        return  # the contract does not limit it, or the claim does not say
    if claimed in allowed:
        matched.append(f"{name} {claimed}")
    else:
        conflicts.append(f"{name} {claimed} is not {' / '.join(sorted(allowed))}")


def assess(ref: VersionRef, route: ClaimRoute) -> Assessment:
    """Criterion by criterion: the contract's scope against the claim's route."""
    scope = ref.scope
    matched: list[str] = []
    conflicts: list[str] = []
    lob = frozenset({scope.line_of_business}) if scope.line_of_business else frozenset()
    _criterion("line of business", lob, route.line_of_business, matched, conflicts)
    _criterion("plan", scope.plan_ids, route.plan_id, matched, conflicts)
    _criterion("claim type", scope.claim_types, route.claim_type.value, matched, conflicts)
    if scope.bill_types:
        _criterion("type of bill", scope.bill_types, route.bill_type or "none", matched, conflicts)
    _criterion("billing TIN", scope.provider_tins, canonical_tin(route.billing_tin), matched, conflicts)
    _criterion("billing NPI", scope.provider_npis, route.billing_npi, matched, conflicts)
    return Assessment(ref, tuple(matched), tuple(conflicts))


def _in_force(versions: list[VersionRef], on: date, payer_id: str) -> list[VersionRef]:
    """Per contract with the payer, the highest version in force on `on`."""
    best: dict[str, VersionRef] = {}
    for v in versions:
        if v.is_with(payer_id) and v.status not in NOT_IN_FORCE and v.in_force_on(on):
            held = best.get(v.contract_id)
            if held is None or (v.effective_from, v.version) > (held.effective_from, held.version):
                best[v.contract_id] = v
    return sorted(best.values(), key=lambda v: v.contract_id)


def choose_contract(versions: list[VersionRef], on: date, route: ClaimRoute) -> ContractChoice:
    """The contract (and its version in force on `on`) that prices the claim, or why none does."""
    day = on.isoformat()
    if route.contract_id is not None:
        named = choose_version(versions, on, payer_id=route.payer_id, contract_id=route.contract_id)
        if named is None:
            reason = f"no version of contract {route.contract_id} is in force on {day}"
            return ContractChoice(ChoiceOutcome.NONE, None, reason)
        return ContractChoice(ChoiceOutcome.CHOSEN, named, f"{named.label}: named on the claim")
    assessed = [assess(ref, route) for ref in _in_force(versions, on, route.payer_id)]
    if not assessed:
        reason = f"no contract with payer {route.payer_id} is in force on {day}"
        return ContractChoice(ChoiceOutcome.NONE, None, reason)
    fitting = [a for a in assessed if not a.conflicts]
    ruled_out = "; ".join(f"{a.ref.label}: {', '.join(a.conflicts)}" for a in assessed if a.conflicts)
    if not fitting:
        reason = f"no contract with payer {route.payer_id} in force on {day} fits the claim ({ruled_out})"
        return ContractChoice(ChoiceOutcome.NONE, None, reason)
    top = max(a.score for a in fitting)
    best = [a for a in fitting if a.score == top]
    if len(best) > 1:
        tied = " and ".join(a.describe() for a in best)
        reason = (
            f"ambiguous contract on {day}: {tied} fit equally well; name the contract on the claim "
            "(contract_id) or its plan / line of business, or narrow the contracts' scope"
        )
        return ContractChoice(ChoiceOutcome.AMBIGUOUS, None, reason)
    reason = f"{best[0].describe()}, payer {route.payer_id}, in force on {day}"
    if ruled_out:
        reason += f"; ruled out {ruled_out}"
    others = [a for a in fitting if a is not best[0]]
    if others:
        reason += "; less specific " + ", ".join(a.describe() for a in others)
    return ContractChoice(ChoiceOutcome.CHOSEN, best[0].ref, reason)
