"""Which contract version prices a claim: the one in force on its date of service."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

# A contract not yet in force for claims (still being negotiated or approved).
NOT_IN_FORCE = frozenset({"draft", "in_review", "approved", "rejected"})


@dataclass(frozen=True, slots=True)
class ContractScope:
    """Which claims a contract covers beyond payer and dates (empty: not limited)."""

    line_of_business: str | None = None
    plan_ids: frozenset[str] = frozenset()
    claim_types: frozenset[str] = frozenset()
    bill_types: frozenset[str] = frozenset()
    provider_tins: frozenset[str] = frozenset()
    provider_npis: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class VersionRef:
    """One version of a contract as the projection holds it."""

    contract_id: str
    version: int
    payer_id: str
    payer_x12_id: str | None
    status: str
    effective_from: date
    effective_to: date | None
    fee_schedule_hash: str | None
    scope: ContractScope = field(default_factory=ContractScope)
    name: str | None = None
    revision: int = 0
    """The registry's revision of the content held (a draft edit keeps the version number)."""

    @property
    def label(self) -> str:
        named = f"{self.name!r} " if self.name else ""
        return f"contract {named}{self.contract_id} v{self.version}"

    def in_force_on(self, on: date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)

    def is_with(self, payer_id: str) -> bool:
        return payer_id in (self.payer_id, self.payer_x12_id)


def choose_version(
    versions: list[VersionRef], on: date, *, payer_id: str, contract_id: str | None
) -> VersionRef | None:
    """The highest version in force on `on`: of the named contract, else of an in-force contract
    with the payer (the contract with the latest start wins when several are). A draft or proposed
    version never prices a real claim, even when the claim names its contract (canary runs price
    under one without storing anything: handlers/canary.py)."""
    if contract_id is not None:
        candidates = [
            v
            for v in versions
            if v.contract_id == contract_id and v.status not in NOT_IN_FORCE and v.in_force_on(on)
        ]
    else:
        candidates = [
            v for v in versions if v.is_with(payer_id) and v.status not in NOT_IN_FORCE and v.in_force_on(on)
        ]
    if not candidates:
        return None
    return max(candidates, key=lambda v: (v.effective_from, v.version))


def missing_reason(on: date, *, payer_id: str, contract_id: str | None) -> str:
    if contract_id is not None:
        return f"no version of contract {contract_id} is in force on {on.isoformat()}"
    return f"no contract with payer {payer_id} is in force on {on.isoformat()}"
