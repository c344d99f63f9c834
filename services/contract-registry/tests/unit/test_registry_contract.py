"""The contract aggregate: lifecycle, approval workflow and the events it records."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

import pytest
from contract_registry.domain import (
    AlreadyApproved,
    ApprovalsMissing,
    Contract,
    ContractActivated,
    ContractAmended,
    ContractCreated,
    ContractRenewed,
    ContractStatus,
    ContractTerminated,
    IllegalTransition,
    InvalidContractTerms,
    NoVersionInForce,
    UnknownApproverRole,
)
from registry_factories import TERMINATION, active_contract, contract_terms, decision, draft_contract

S = ContractStatus


def test_a_new_contract_is_a_draft_and_records_contract_created() -> None:
    contract = draft_contract()
    assert contract.status is S.DRAFT
    assert contract.versions == ()
    assert contract.drain_events() == [
        ContractCreated("C-1", "org-st-mary", "payer-acme", ("ppo-gold",), "commercial")
    ]
    assert contract.events == []


def test_every_required_role_approves_before_the_contract_is_approved() -> None:
    contract = draft_contract()
    contract.submit_for_review()
    contract.approve(decision("legal", "indemnity clause reviewed"))
    assert contract.status is S.IN_REVIEW
    assert contract.pending_roles == {"finance"}
    contract.approve(decision("finance"))
    assert contract.status is S.APPROVED
    assert [a.role for a in contract.approvals] == ["legal", "finance"]
    assert contract.approvals[0].comment == "indemnity clause reviewed"


def test_activation_waits_for_the_missing_approvals() -> None:
    contract = draft_contract()
    contract.submit_for_review()
    contract.approve(decision("legal"))
    with pytest.raises(ApprovalsMissing, match="awaiting finance"):
        contract.activate(date(2023, 12, 15))


def test_a_rejection_sends_the_contract_back_to_draft_and_voids_approvals() -> None:
    contract = draft_contract()
    contract.submit_for_review()
    contract.approve(decision("legal"))
    contract.reject(decision("finance", "rates below cost for 27447"))
    assert contract.status is S.DRAFT
    assert contract.approvals == ()
    assert contract.rejections[0].comment == "rates below cost for 27447"
    contract.revise_draft(contract_terms(notice_days=120), today=date(2023, 12, 1))
    contract.submit_for_review()
    assert contract.pending_roles == {"legal", "finance"}


@pytest.mark.parametrize(
    ("role", "comment", "error", "message"),
    [
        (
            "marketing",
            "no",
            UnknownApproverRole,
            "marketing cannot reject; the organisation requires finance, legal",
        ),
        ("finance", "  ", InvalidContractTerms, "comment: a rejection must say why"),
    ],
)
def test_rejections_are_checked(role: str, comment: str, error: type[Exception], message: str) -> None:
    contract = draft_contract()
    contract.submit_for_review()
    with pytest.raises(error, match=message):
        contract.reject(decision(role, comment))


def test_a_role_cannot_approve_twice() -> None:
    contract = draft_contract()
    contract.submit_for_review()
    contract.approve(decision("legal"))
    with pytest.raises(AlreadyApproved, match="legal has already approved"):
        contract.approve(decision("legal"))


def test_an_organisation_that_requires_no_approval_goes_straight_to_approved() -> None:
    contract = draft_contract(roles=frozenset())
    contract.submit_for_review()
    assert contract.status is S.APPROVED


def test_activation_makes_the_draft_terms_version_one() -> None:
    contract = draft_contract()
    contract.submit_for_review()
    contract.approve(decision("legal"))
    contract.approve(decision("finance"))
    contract.drain_events()
    contract.activate(today=date(2023, 12, 15))
    version = contract.version_in_force(date(2024, 6, 30))
    assert (version.number, version.effective_from, version.effective_to) == (1, date(2024, 1, 1), None)
    assert not version.retroactive
    assert contract.drain_events() == [ContractActivated("C-1", version)]


def test_activating_after_the_effective_date_marks_version_one_retroactive() -> None:
    assert active_contract(today=date(2024, 2, 1)).versions[0].retroactive


@pytest.mark.parametrize(
    ("action", "status", "message"),
    [
        (lambda c: c.activate(date(2024, 1, 1)), "draft", "cannot activate (allowed from approved)"),
        (lambda c: c.approve(decision("legal")), "draft", "cannot approve (allowed from in_review)"),
        (
            lambda c: c.terminate(date(2024, 6, 30), "breach"),
            "draft",
            "cannot terminate (allowed from active)",
        ),
        (lambda c: c.renew(date(2024, 12, 1)), "draft", "cannot renew (allowed from active or expired)"),
        (lambda c: c.expire(date(2025, 1, 1)), "draft", "cannot expire (allowed from active)"),
        (
            lambda c: c.amend(contract_terms(), effective_from=date(2024, 7, 1), today=date(2024, 6, 1)),
            "draft",
            "cannot amend (allowed from active)",
        ),
    ],
)
def test_illegal_transitions_from_draft_are_refused(
    action: Callable[[Contract], object], status: str, message: str
) -> None:
    contract = draft_contract()
    with pytest.raises(IllegalTransition, match=re.escape(f"contract C-1 is {status}: {message}")):
        action(contract)


@pytest.mark.parametrize(
    "action",
    [
        lambda c: c.submit_for_review(),
        lambda c: c.revise_draft(contract_terms(), today=date(2024, 7, 1)),
        lambda c: c.activate(date(2024, 1, 1)),
        lambda c: c.amend(contract_terms(), effective_from=date(2024, 7, 1), today=date(2024, 6, 1)),
        lambda c: c.terminate(date(2024, 6, 30), "breach"),
        lambda c: c.expire(date(2025, 1, 1)),
    ],
)
def test_a_terminated_contract_accepts_nothing_more(action: Callable[[Contract], object]) -> None:
    contract = active_contract()
    contract.terminate(date(2024, 6, 30), "payer breached prompt-pay terms")
    with pytest.raises(IllegalTransition, match="is terminated"):
        action(contract)


def test_termination_closes_the_open_version_and_records_the_reason() -> None:
    contract = active_contract()
    contract.terminate(date(2024, 6, 30), "payer breached prompt-pay terms")
    assert contract.status is S.TERMINATED
    assert contract.versions[-1].effective_to == date(2024, 6, 30)
    [event] = contract.drain_events()
    assert isinstance(event, ContractTerminated)
    assert (event.last_day, event.reason) == (date(2024, 6, 30), "payer breached prompt-pay terms")
    with pytest.raises(NoVersionInForce, match="no version in force on 2024-07-01"):
        contract.version_in_force(date(2024, 7, 1))


def test_expiry_only_after_the_termination_date() -> None:
    contract = active_contract()
    with pytest.raises(InvalidContractTerms, match="runs until 2024-12-31"):
        contract.expire(today=TERMINATION)
    contract.expire(today=date(2025, 1, 1))
    assert contract.status is S.EXPIRED
    assert contract.versions[-1].effective_to == TERMINATION
    [event] = contract.drain_events()
    assert isinstance(event, ContractTerminated)
    assert event.reason == "expired on 2024-12-31"


@pytest.mark.parametrize(
    ("renewal_months", "expected_end"),
    [(None, date(2025, 12, 31)), (24, date(2026, 12, 31)), (6, date(2025, 6, 30))],
)
def test_renewal_starts_a_new_term_the_day_after_termination(
    renewal_months: int | None, expected_end: date
) -> None:
    contract = active_contract()
    renewed = contract.renew(date(2024, 12, 1), renewal_term_months=renewal_months)
    assert (renewed.number, renewed.effective_from) == (2, date(2025, 1, 1))
    assert renewed.terms.termination_date == expected_end
    assert contract.versions[0].effective_to == TERMINATION
    assert contract.drain_events() == [ContractRenewed("C-1", renewed)]


def test_an_expired_contract_can_be_renewed_late_and_the_renewal_is_retroactive() -> None:
    contract = active_contract()
    contract.expire(today=date(2025, 1, 15))
    renewed = contract.renew(today=date(2025, 2, 1))
    assert contract.status is S.ACTIVE
    assert renewed.retroactive
    assert contract.version_in_force(date(2025, 1, 10)) == renewed


@pytest.mark.parametrize(
    ("months", "message"),
    [
        (-510511, "must be a positive whole number of months, got -510511"),  # was a 500 (fuzzing)
        (0, "must be a positive whole number of months, got 0"),
        (121, "must be at most 120 months (ten years), got 121"),
    ],
)
def test_a_renewal_term_off_the_bounds_is_refused_naming_it(months: int, message: str) -> None:
    contract = active_contract()
    with pytest.raises(InvalidContractTerms, match=re.escape(f"renewal_term_months: {message}")):
        contract.renew(date(2024, 12, 1), renewal_term_months=months)
    assert [v.number for v in contract.versions] == [1]


def test_an_open_ended_contract_has_no_term_to_renew() -> None:
    contract = active_contract(termination_date=None, auto_renew=False, renewal_term_months=None)
    with pytest.raises(InvalidContractTerms, match="open-ended: it has no term to end"):
        contract.renew(date(2025, 1, 1))


def test_an_amendment_records_contract_amended_with_the_version_it_replaces() -> None:
    contract = active_contract()
    new = contract.amend(
        contract_terms(notice_days=120), effective_from=date(2024, 7, 1), today=date(2024, 6, 1)
    )
    [event] = contract.drain_events()
    assert isinstance(event, ContractAmended)
    assert event.version == new
    assert event.previous.effective_to == date(2024, 6, 30)


def test_a_draft_is_revised_by_proposed_versions_that_activation_puts_in_force() -> None:
    contract = draft_contract()
    contract.drain_events()
    proposed = contract.propose_version(
        contract_terms(notice_days=120), effective_from=date(2024, 7, 1), today=date(2023, 12, 1)
    )
    assert (proposed.number, contract.versions) == (2, ())
    [event] = contract.drain_events()
    assert isinstance(event, ContractAmended) and event.previous.effective_to == date(2024, 6, 30)
    contract.submit_for_review()
    contract.approve(decision("legal"))
    with pytest.raises(ApprovalsMissing) as missing:
        contract.activate(date(2024, 8, 1))
    assert missing.value.roles == {"finance"}
    contract.approve(decision("finance"))
    contract.activate(date(2024, 8, 1))  # after both start: both are retroactive now
    assert [(v.number, v.retroactive) for v in contract.versions] == [(1, True), (2, True)]
    assert contract.version_in_force(date(2024, 7, 1)).terms.notice_days == 120
