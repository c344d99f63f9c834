"""The contract aggregate's recorded events, mapped to contract.* CloudEvents carrying the version."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from accord_common.events import CloudEvent, new_event

from contract_registry.domain import (
    Contract,
    ContractActivated,
    ContractAmended,
    ContractCorrected,
    ContractCreated,
    ContractEvent,
    ContractRenewed,
    ContractRevised,
    ContractTerminated,
    ContractVersion,
    ContractVersionWithdrawn,
    version_to_dict,
)
from contract_registry.handlers.common import SOURCE


@dataclass(frozen=True, slots=True)
class ContractLabels:
    """What an event names beside the version: the contract's and the payer's names."""

    contract_name: str
    payer_name: str
    payer_x12_id: str | None = None


def contract_cloud_events(
    contract: Contract, drained: list[ContractEvent], labels: ContractLabels, today: date
) -> list[CloudEvent]:
    """One CloudEvent per recorded event, each with the revision it was recorded at."""
    revisions = contract.revisions_of(drained)
    return [
        _cloud_event(contract, event, labels, today, revision)
        for event, revision in zip(drained, revisions, strict=True)
    ]


def _cloud_event(
    contract: Contract, event: ContractEvent, labels: ContractLabels, today: date, revision: int
) -> CloudEvent:
    reason: str | None = None
    withdrawn: int | None = None
    version: ContractVersion
    if isinstance(event, ContractCreated):
        event_type, version = "contract.created", contract.draft_versions(today)[-1]
    elif isinstance(event, ContractAmended | ContractRevised | ContractCorrected):
        event_type, version = "contract.amended", event.version
    elif isinstance(event, ContractVersionWithdrawn):
        event_type, version, withdrawn = "contract.amended", event.version, event.withdrawn.number
    elif isinstance(event, ContractActivated):
        event_type, version = "contract.activated", event.version
    elif isinstance(event, ContractRenewed):
        event_type, version = "contract.renewed", event.version
    else:
        assert isinstance(event, ContractTerminated)
        event_type, version, reason = "contract.terminated", event.version, event.reason
    data = {**version_payload(contract, version, labels), "revision": revision}
    if reason is not None:
        data["termination_reason"] = reason
    if withdrawn is not None:
        data["withdrawn_version"] = withdrawn
    return new_event(
        event_type,
        source=SOURCE,
        subject=contract.id,
        data=data,
        organization_id=contract.provider_organisation_id,
    )


def version_payload(contract: Contract, version: ContractVersion, labels: ContractLabels) -> dict[str, Any]:
    """ContractVersionData: the contract's identity and status plus the full version."""
    return {
        "contract_id": contract.id,
        "organization_id": contract.provider_organisation_id,
        "payer_id": contract.payer_id,
        "payer_name": labels.payer_name,
        "payer_x12_id": labels.payer_x12_id,
        "contract_name": labels.contract_name,
        "status": contract.status.value,
        "line_of_business": contract.line_of_business.value,
        "plan_ids": list(contract.plan_ids),
        **contract.scope.to_dict(),
        **version_to_dict(version),
    }
