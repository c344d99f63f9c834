"""Contract rows <-> the contract aggregate (the domain's JSON codec does the terms and versions)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from contract_registry.domain import (
    Contract,
    ContractStatus,
    ContractTerms,
    ContractVersion,
    LineOfBusiness,
    ReviewDecision,
    from_json,
    to_json,
    version_from_dict,
)
from contract_registry.domain.scope import ContractScope


def decision_to_json(decision: ReviewDecision) -> dict[str, str]:
    return {
        "role": decision.role,
        "reviewer": decision.reviewer,
        "at": decision.at.isoformat(),
        "comment": decision.comment,
        "reviewer_id": decision.reviewer_id,
    }


def decision_from_json(data: dict[str, str]) -> ReviewDecision:
    at = datetime.fromisoformat(data["at"])
    return ReviewDecision(data["role"], data["reviewer"], at, data["comment"], data.get("reviewer_id", ""))


def terms_to_json(terms: ContractTerms) -> dict[str, Any]:
    encoded = to_json(terms)
    assert isinstance(encoded, dict)
    return encoded


def terms_from_json(data: dict[str, Any]) -> ContractTerms:
    decoded = from_json(ContractTerms, data)
    assert isinstance(decoded, ContractTerms)
    return decoded


def contract_from_rows(row: Any, version_rows: list[Any]) -> Contract:
    """Rebuild the aggregate: version rows are proposals while the contract is not yet active."""
    return assemble_contract(row, decode_parts(row, version_rows))


DecodedParts = tuple[ContractTerms, tuple[ContractVersion, ...]]
"""What is costly to rebuild from the rows: the draft's terms and the versions (frozen values)."""


def decode_parts(row: Any, version_rows: list[Any]) -> DecodedParts:
    return terms_from_json(row.draft_terms), tuple(version_from_dict(v.data) for v in version_rows)


def assemble_contract(row: Any, parts: DecodedParts) -> Contract:
    """The aggregate from the contract's row and its decoded terms and versions."""
    draft_terms, versions = parts
    status = ContractStatus(row.status)
    proposed = status in (ContractStatus.DRAFT, ContractStatus.IN_REVIEW, ContractStatus.APPROVED)
    return Contract(
        id=row.id,
        provider_organisation_id=row.organization_id,
        payer_id=row.payer_id,
        line_of_business=LineOfBusiness(row.line_of_business),
        draft_terms=draft_terms,
        plan_ids=tuple(row.plan_ids),
        required_approver_roles=frozenset(row.required_approver_roles),
        status=status,
        approvals=tuple(decision_from_json(d) for d in row.approvals),
        rejections=tuple(decision_from_json(d) for d in row.rejections),
        versions=() if proposed else versions,
        proposed=versions if proposed else (),
        scope=ContractScope.of(**(row.scope or {})),
        revision=row.revision,
        submitted_by=row.submitted_by_key_id,
    )


def stored_versions(contract: Contract, today: Any) -> tuple[ContractVersion, ...]:
    """What the version table holds: the versions in force, or the draft's proposed versions."""
    if contract.versions:
        return contract.versions
    return contract.draft_versions(today)
