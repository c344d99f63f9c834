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
    NoVersionInForce,
    check_version_coverage,
)
from registry_factories import active_contract, contract_terms, decision, draft_contract

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
    with pytest.raises(InvalidContractTerms, match="effective_date: 2024-08-01 is not before version 2"):
        contract.revise_draft(contract_terms(effective_date=date(2024, 8, 1)), today=TODAY)
    assert [v.effective_from for v in contract.draft_versions(TODAY)] == [date(2024, 1, 1), date(2024, 7, 1)]


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


# The draft's effective date (2024-01-01, terms until 2024-12-31) moved; version 1 follows it.
# (moved to, from the database: the stored version 1 is loaded as proposed, or built afresh)
MOVES = [
    ("later", date(2024, 3, 1), True),
    ("later, built afresh", date(2024, 3, 1), False),
    ("earlier", date(2023, 11, 1), True),
    ("same day", date(2024, 1, 1), True),
]


@pytest.mark.parametrize(("case", "moved_to", "stored"), MOVES, ids=[m[0] for m in MOVES])
def test_moving_a_drafts_effective_date_moves_version_1(case: str, moved_to: date, stored: bool) -> None:
    contract = draft_contract()
    if stored:
        contract.proposed = contract.draft_versions(TODAY)  # as the repository loads a draft
    contract.revise_draft(contract_terms(effective_date=moved_to, notice_days=120), today=TODAY)
    versions = contract.draft_versions(TODAY)
    assert [(v.number, v.effective_from, v.effective_to) for v in versions] == [(1, moved_to, None)]
    assert (versions[0].terms.effective_date, versions[0].terms.notice_days) == (moved_to, 120)
    assert contract.draft_terms.effective_date == moved_to
    contract.submit_for_review()
    for role in sorted(contract.required_approver_roles):
        contract.approve(decision(role))
    contract.activate(TODAY)
    day_before = date.fromordinal(moved_to.toordinal() - 1)
    assert contract.version_in_force(moved_to).number == 1
    with pytest.raises(NoVersionInForce):
        contract.version_in_force(day_before)


def test_moving_the_effective_date_later_moves_version_1_and_keeps_version_2() -> None:
    contract = draft_contract()
    contract.propose_version(contract_terms(notice_days=60), effective_from=date(2024, 7, 1), today=TODAY)
    contract.revise_draft(contract_terms(effective_date=date(2024, 3, 1), notice_days=30), today=TODAY)
    versions = contract.draft_versions(TODAY)
    assert [(v.number, v.effective_from, v.effective_to, v.terms.notice_days) for v in versions] == [
        (1, date(2024, 3, 1), date(2024, 6, 30), 90),
        (2, date(2024, 7, 1), None, 30),
    ]
    assert {v.terms.effective_date for v in versions} == {date(2024, 3, 1)}


def test_a_move_past_the_termination_date_names_it() -> None:
    contract = draft_contract()
    with pytest.raises(InvalidContractTerms, match="termination_date: 2024-12-31 is before the effective"):
        contract.revise_draft(contract_terms(effective_date=date(2025, 1, 1)), today=TODAY)


def test_an_active_contracts_effective_date_is_not_moved_in_place() -> None:
    contract = active_contract()
    with pytest.raises(IllegalTransition, match="is active: cannot revise the draft"):
        contract.revise_draft(contract_terms(effective_date=date(2024, 3, 1)), today=TODAY)
    assert contract.version_in_force(date(2024, 1, 1)).effective_from == date(2024, 1, 1)
