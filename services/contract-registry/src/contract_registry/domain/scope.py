"""Which of a payer's claims a contract covers beyond its plans and line of business: claim types
(professional 837P, institutional 837I), types of bill, and the billing TINs and NPIs it names.

Empty means not limited. The engine picks, among the payer's contracts in force, the one whose
scope matches the claim best, and holds a claim two contracts match equally well.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from .errors import InvalidField
from .parties import Npi, NpiType, Tin

_BILL_TYPE = re.compile(r"[0-9]{2}")


class ClaimType(StrEnum):
    PROFESSIONAL = "professional"
    INSTITUTIONAL = "institutional"


class InvalidScope(InvalidField):
    """A claim type, type of bill, TIN or NPI a contract's scope cannot hold."""


@dataclass(frozen=True, slots=True)
class ContractScope:
    claim_types: frozenset[ClaimType] = frozenset()
    bill_types: tuple[str, ...] = ()
    provider_tins: tuple[str, ...] = ()
    provider_npis: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for index, bill_type in enumerate(self.bill_types):
            if not _BILL_TYPE.fullmatch(bill_type):
                raise InvalidScope(
                    f"scope.bill_types[{index}]",
                    f"{bill_type!r} is not a facility type + classification (2 digits, e.g. 13 for 013x)",
                )
        if self.bill_types and ClaimType.PROFESSIONAL in self.claim_types:
            raise InvalidScope("scope.bill_types", "types of bill apply to institutional claims only")
        for index, tin in enumerate(self.provider_tins):
            try:
                Tin(tin)
            except InvalidField as refused:
                raise InvalidScope(f"scope.provider_tins[{index}]", refused.message) from None
        for index, npi in enumerate(self.provider_npis):
            try:
                Npi(npi, NpiType.ORGANISATION)
            except InvalidField as refused:
                raise InvalidScope(f"scope.provider_npis[{index}]", refused.message) from None

    @classmethod
    def of(
        cls,
        claim_types: list[str] | None = None,
        bill_types: list[str] | None = None,
        provider_tins: list[str] | None = None,
        provider_npis: list[str] | None = None,
    ) -> ContractScope:
        """From plain values (a command or a stored row); TINs kept as 12-3456789."""
        tins = tuple(
            Tin(t).canonical if re.fullmatch(r"[0-9]{2}-?[0-9]{7}", t) else t for t in provider_tins or ()
        )
        return cls(
            claim_types=frozenset(ClaimType(c) for c in claim_types or ()),
            bill_types=tuple(bill_types or ()),
            provider_tins=tins,
            provider_npis=tuple(provider_npis or ()),
        )

    def to_dict(self) -> dict[str, list[str]]:
        """The scope as the contract.* payload and the API carry it."""
        return {
            "claim_types": sorted(c.value for c in self.claim_types),
            "bill_types": list(self.bill_types),
            "provider_tins": list(self.provider_tins),
            "provider_npis": list(self.provider_npis),
        }
