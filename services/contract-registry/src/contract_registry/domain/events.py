"""Events the contract aggregate records; the unit of work drains them into the outbox."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .versions import ContractVersion


@dataclass(frozen=True, slots=True)
class ContractCreated:
    contract_id: str
    provider_organisation_id: str
    payer_id: str
    plan_ids: tuple[str, ...]
    line_of_business: str


@dataclass(frozen=True, slots=True)
class ContractActivated:
    """The approved contract is in force; `version` is version 1."""

    contract_id: str
    version: ContractVersion


@dataclass(frozen=True, slots=True)
class ContractAmended:
    """A new version was added; if `version.retroactive`, claims already priced need re-pricing."""

    contract_id: str
    version: ContractVersion
    previous: ContractVersion


@dataclass(frozen=True, slots=True)
class ContractRevised:
    """A draft was edited in place: `version` keeps the number of `previous` (published as
    contract.amended with a higher revision, so consumers replace what they hold)."""

    contract_id: str
    version: ContractVersion
    previous: ContractVersion


@dataclass(frozen=True, slots=True)
class ContractCorrected:
    """A future version's terms were corrected before it took effect: same number, new content."""

    contract_id: str
    version: ContractVersion
    previous: ContractVersion


@dataclass(frozen=True, slots=True)
class ContractVersionWithdrawn:
    """A future version entered by mistake was withdrawn; `version` is the latest one again."""

    contract_id: str
    withdrawn: ContractVersion
    version: ContractVersion
    reason: str


@dataclass(frozen=True, slots=True)
class ContractRenewed:
    """A new term began; `version` runs to the new termination date."""

    contract_id: str
    version: ContractVersion


@dataclass(frozen=True, slots=True)
class ContractTerminated:
    """The contract ended (terminated, or expired at its termination date) on `last_day`."""

    contract_id: str
    last_day: date
    reason: str
    version: ContractVersion


ContractEvent = (
    ContractCreated
    | ContractActivated
    | ContractAmended
    | ContractRevised
    | ContractCorrected
    | ContractVersionWithdrawn
    | ContractRenewed
    | ContractTerminated
)
