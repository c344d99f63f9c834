"""Which claims a contract change (re-)prices, walked in bounded batches.

A contract coming into force (created, activated, amended, renewed, or its fee schedule
completing) prices the claims that waited for it, and a new version re-prices the claims it now
governs. Each batch is its own transaction. A walk's first batch, when full, plans the rest: the
requests for every later batch, each a range of claim ids ending where 2,000 more claims end, are
published at once (ahead of the first batch's own events), so no batch waits for the one before it
to have its request relayed; past the planned ranges an open-ended request walks on the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum


class RepricingScope(StrEnum):
    PENDING = "pending"  # claims waiting for a contract in force
    VERSION = "version"  # claims priced under another version of the contract, in its dates


@dataclass(frozen=True, slots=True)
class RepricingRequest:
    organization_id: str
    scope: RepricingScope
    reason: str
    payer_ids: tuple[str, ...] = ()  # pending claims of these payers (any payer when empty)
    contract_id: str | None = None
    contract_version: int | None = None
    effective_from: date | None = None
    effective_to: date | None = None
    after_claim_id: str | None = field(default=None)
    until_claim_id: str | None = None  # a planned range's last claim id (inclusive)

    def later_batches(self, last_claim_id: str, ends: Sequence[str]) -> list[RepricingRequest]:
        """After a batch ending at `last_claim_id`: a range request ending at each of `ends`
        (ascending), then an open-ended one past the last of them."""
        starts = [last_claim_id, *ends]
        return [
            replace(self, after_claim_id=a, until_claim_id=u)
            for a, u in zip(starts, [*ends, None], strict=True)
        ]


def pending_for_contract(
    organization_id: str, reason: str, contract_id: str, payer_ids: tuple[str | None, ...]
) -> RepricingRequest:
    """Pending claims a contract may now price: its payer's, and those that name the contract."""
    payers = tuple(sorted({p for p in payer_ids if p}))
    return RepricingRequest(organization_id, RepricingScope.PENDING, reason, payers, contract_id)


def all_pending(organization_id: str, reason: str) -> RepricingRequest:
    """Every pending claim of the organisation (a fee schedule completed: any contract may use it)."""
    return RepricingRequest(organization_id, RepricingScope.PENDING, reason)


ANY_VERSION = 0  # no version is numbered 0: "claims priced under another version" is then every one


def governed_by_version(
    organization_id: str,
    reason: str,
    contract_id: str,
    version: int,
    start: date,
    end: date | None,
    *,
    revised: bool = False,
) -> RepricingRequest:
    """Claims priced under another version of the contract whose dates reach [start, end]; when the
    version itself was revised (a draft edit or correction keeps its number), its own claims too."""
    version_left_alone = ANY_VERSION if revised else version
    return RepricingRequest(
        organization_id, RepricingScope.VERSION, reason, (), contract_id, version_left_alone, start, end
    )
