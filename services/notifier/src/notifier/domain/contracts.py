"""What the notifier remembers of a contract: its name and its payer's, so a mail can say them.

The projection holds one row per contract, built from contract.* events. It keeps names and
identifiers only (a contract's name and its payer's name are business facts, not PHI) and is
used for nothing but wording: a mail that finds no row falls back to the ids.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

# Where a status sits in a contract's life. contract.* events travel on different topics, so a
# consumer may see `contract.activated` before `contract.created` of the same version; a status
# that lies earlier in the life than the one held is such a late arrival and is not applied.
STATUS_ORDER = {
    "draft": 0,
    "in_review": 1,
    "approved": 2,
    "active": 3,
    "expired": 4,
    "terminated": 4,
}


@dataclass(frozen=True)
class ContractSummary:
    """One contract as the notifier knows it, from the newest version its events carried."""

    contract_id: str
    organization_id: str
    payer_id: str
    version: int
    status: str
    contract_name: str | None = None
    payer_name: str | None = None
    payer_x12_id: str | None = None  # claims and remittances name the payer by it
    revision: int = 0
    """The registry's count of the contract's changes (0: a producer before revisions)."""

    @classmethod
    def from_event(cls, data: Mapping[str, object]) -> ContractSummary:
        """From a contract.* payload (ContractVersionData); the rest of the terms are not kept."""
        return cls(
            contract_id=str(data["contract_id"]),
            organization_id=str(data["organization_id"]),
            payer_id=str(data["payer_id"]),
            version=int(str(data["version"])),
            status=str(data["status"]),
            contract_name=_name(data.get("contract_name")),
            payer_name=_name(data.get("payer_name")),
            payer_x12_id=_name(data.get("payer_x12_id")),
            revision=int(str(data.get("revision") or 0)),
        )

    def supersedes(self, held: ContractSummary | None) -> bool:
        """Whether this version should replace the one held.

        A higher revision does, whatever its version number (a draft edit or a correction keeps
        the number, a withdrawal brings the previous version back); a lower or repeated one never
        does. Without revisions: a newer version always does; the same version does when its
        status changed (and the change does not go back in the contract's life).
        """
        if held is None:
            return True
        if self.revision or held.revision:
            return self.revision > held.revision
        if self.version != held.version:
            return self.version > held.version
        if self.status == held.status:
            return False
        mine, theirs = STATUS_ORDER.get(self.status), STATUS_ORDER.get(held.status)
        return mine is None or theirs is None or mine >= theirs

    def names_for(self, data: Mapping[str, object]) -> dict[str, object]:
        """The event's data with this contract's and payer's names added where it has none.

        What the event itself says wins; the payer's name is only added when the event names
        no payer or the same one (by Accord's payer id, or by the X12 payer id claims carry), and
        nothing is added for another organisation's event.
        """
        enriched = dict(data)
        if str(data.get("organization_id") or "") != self.organization_id:
            return enriched
        if self.contract_name and not data.get("contract_name"):
            enriched["contract_name"] = self.contract_name
        named = str(data.get("payer_id") or "")
        same_payer = not named or named in (self.payer_id, self.payer_x12_id)
        if self.payer_name and same_payer and not data.get("payer_name"):
            enriched["payer_name"] = self.payer_name
            enriched["payer_id"] = self.payer_id
        return enriched


def _name(value: object) -> str | None:
    text = " ".join(str(value).split()) if value is not None else ""
    return text or None
