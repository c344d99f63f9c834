"""The worklist regrouped by the dimension a person picks, with totals to the cent."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from console.domain.figures import amount


class GroupBy(StrEnum):
    PAYER = "payer"
    CONTRACT = "contract"
    CODE = "code"
    CARC = "carc"

    @property
    def field(self) -> str:
        return {"payer": "payer_id", "contract": "contract_id", "code": "code", "carc": "carc"}[self.value]


@dataclass
class WorklistGroup:
    key: str
    amount: Decimal = Decimal(0)
    expected_allowed: Decimal = Decimal(0)
    paid: Decimal = Decimal(0)
    claim_count: int = 0
    line_count: int = 0
    oldest_remittance: str | None = None
    payer_ids: set[str] = field(default_factory=set)


def regroup(entries: Iterable[Mapping[str, object]], by: GroupBy) -> list[WorklistGroup]:
    """Sum the engine's (payer, contract, code, CARC) groups by one of them; largest amount first.

    Claim counts add up per finer group, so a claim under two codes counts once per code.
    """
    groups: dict[str, WorklistGroup] = {}
    for entry in entries:
        key = str(entry.get(by.field) or "(none)")
        group = groups.setdefault(key, WorklistGroup(key))
        group.amount += amount(entry.get("amount"))
        group.expected_allowed += amount(entry.get("expected_allowed"))
        group.paid += amount(entry.get("paid"))
        group.claim_count += int(str(entry.get("claim_count") or 0))
        group.line_count += int(str(entry.get("line_count") or 0))
        group.payer_ids.add(str(entry.get("payer_id") or ""))
        oldest = entry.get("oldest_remittance")
        if isinstance(oldest, str) and (group.oldest_remittance is None or oldest < group.oldest_remittance):
            group.oldest_remittance = oldest
    return sorted(groups.values(), key=lambda g: (-g.amount, g.key))


def total(groups: Iterable[WorklistGroup]) -> Decimal:
    return sum((g.amount for g in groups), Decimal(0))
