"""Revisions on every recorded change, and a future version corrected or withdrawn before it
takes effect (issue 10, items 1 and 3)."""

from __future__ import annotations

from datetime import date

import pytest
from contract_registry.domain import (
    Contract,
    ContractCorrected,
    ContractVersion,
    ContractVersionWithdrawn,
    IllegalTransition,
    InvalidContractTerms,
    VersionInForce,
)
from registry_factories import active_contract, contract_terms, decision, draft_contract

TODAY = date(2024, 3, 1)


def test_every_recorded_change_has_its_own_revision_even_when_the_version_number_stays() -> None:
    contract = draft_contract(roles=frozenset({"legal"}))
    contract.revise_draft(contract_terms(notice_days=120), today=TODAY)  # same version 1
    contract.submit_for_review()
    contract.approve(decision("legal"))
    contract.activate(TODAY)
    drained = contract.drain_events()
    assert [type(e).__name__ for e in drained] == ["ContractCreated", "ContractRevised", "ContractActivated"]
    assert contract.revisions_of(drained) == [1, 2, 3]
    contract.amend(contract_terms(), effective_from=date(2024, 7, 1), today=TODAY)
    assert contract.revisions_of(contract.drain_events()) == [4]


def amended_in_july() -> tuple[Contract, ContractVersion]:
    contract = active_contract()
    before = contract.versions[-1]
    contract.amend(contract_terms(notice_days=60), effective_from=date(2024, 7, 1), today=TODAY)
    contract.drain_events()
    return contract, before


def test_a_future_version_is_withdrawn_and_the_one_before_is_open_ended_again() -> None:
    contract, before = amended_in_july()
    withdrawn = contract.withdraw_version(2, "entered against the wrong payer", today=TODAY)
    assert (withdrawn.number, withdrawn.effective_from) == (2, date(2024, 7, 1))
    assert contract.versions == (before,)
    assert contract.versions[-1].effective_to is None
    [event] = contract.drain_events()
    assert event == ContractVersionWithdrawn("C-1", withdrawn, before, "entered against the wrong payer")


def test_a_future_version_is_corrected_in_place_before_it_takes_effect() -> None:
    contract, _ = amended_in_july()
    corrected = contract.correct_version(2, contract_terms(notice_days=75), today=TODAY)
    assert (corrected.number, corrected.effective_from, corrected.terms.notice_days) == (
        2,
        date(2024, 7, 1),
        75,
    )
    [event] = contract.drain_events()
    assert isinstance(event, ContractCorrected) and event.previous.terms.notice_days == 60


@pytest.mark.parametrize(
    ("number", "today", "message"),
    [
        (
            2,
            date(2024, 7, 1),
            "cannot withdraw version 2 (2024-07-01 to open-ended): it took effect on 2024-07-01",
        ),
        (1, TODAY, "cannot withdraw version 1: only the latest version (2) can change"),
    ],
)
def test_a_version_in_force_or_not_the_latest_cannot_be_withdrawn(
    number: int, today: date, message: str
) -> None:
    contract, _ = amended_in_july()
    with pytest.raises(VersionInForce, match=message.replace("(", r"\(").replace(")", r"\)")):
        contract.withdraw_version(number, "mistake", today=today)


def test_the_only_version_cannot_be_withdrawn_and_a_withdrawal_says_why() -> None:
    contract = active_contract()  # version 1 from 2024-01-01, activated 2023-12-15
    with pytest.raises(VersionInForce, match="only version"):
        contract.withdraw_version(1, "mistake", today=date(2023, 12, 15))
    with pytest.raises(InvalidContractTerms, match="reason: a withdrawal must say why"):
        contract.withdraw_version(1, " ", today=date(2023, 12, 15))


def test_a_draft_is_edited_not_corrected() -> None:
    with pytest.raises(IllegalTransition):
        draft_contract().withdraw_version(1, "mistake", today=TODAY)
