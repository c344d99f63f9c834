"""A draft edited in place (revise_draft) and coverage answered from a draft's proposed version."""

from __future__ import annotations

from datetime import date

import pytest
from contract_registry.domain import (
    BilledCode,
    CodeSystem,
    ContractRevised,
    IllegalTransition,
    InvalidContractTerms,
    LineOfBusiness,
    check_version_coverage,
)
from registry_factories import active_contract, contract_terms, draft_contract

TODAY = date(2023, 12, 1)


def test_revising_a_draft_keeps_version_1_and_records_the_revision() -> None:
    contract = draft_contract()
    contract.drain_events()
    before = contract.draft_versions(TODAY)[-1]
    revised = contract.revise_draft(
        contract_terms(notice_days=120),
        today=TODAY,
        line_of_business=LineOfBusiness.MEDICARE_ADVANTAGE,
        plan_ids=(),
    )
    assert (revised.number, revised.terms.notice_days) == (1, 120)
    assert contract.line_of_business is LineOfBusiness.MEDICARE_ADVANTAGE and contract.plan_ids == ()
    assert contract.drain_events() == [ContractRevised("C-1", revised, before)]


def test_revising_changes_only_the_latest_proposed_version() -> None:
    contract = draft_contract()
    contract.propose_version(contract_terms(notice_days=60), effective_from=date(2024, 7, 1), today=TODAY)
    contract.revise_draft(contract_terms(notice_days=30), today=TODAY)
    versions = contract.draft_versions(TODAY)
    assert [(v.number, v.terms.notice_days, v.effective_from) for v in versions] == [
        (1, contract_terms().notice_days, date(2024, 1, 1)),
        (2, 30, date(2024, 7, 1)),
    ]


def test_a_revision_that_changes_nothing_records_nothing() -> None:
    contract = draft_contract()
    contract.drain_events()
    contract.revise_draft(today=TODAY)
    assert contract.events == []


def test_a_revision_is_validated_by_the_version_rules() -> None:
    contract = draft_contract()
    contract.propose_version(contract_terms(), effective_from=date(2024, 7, 1), today=TODAY)
    with pytest.raises(InvalidContractTerms, match="effective_from"):
        contract.revise_draft(contract_terms(effective_date=date(2024, 8, 1)), today=TODAY)


def test_only_a_draft_is_revised_in_place() -> None:
    contract = active_contract()
    with pytest.raises(IllegalTransition, match="is active: cannot revise the draft"):
        contract.revise_draft(contract_terms(notice_days=120), today=TODAY)


def test_coverage_of_a_drafts_proposed_version() -> None:
    contract = draft_contract()
    version = contract.draft_versions(TODAY)[-1]
    report = check_version_coverage(version, [BilledCode(CodeSystem.CPT, "99213")], date(2024, 3, 1))
    assert report.version_number == 1
    assert [c.term_name for c in report.covered] == ["Professional services"]
