"""Which of a payer's contracts prices a claim (issue 10 item 7), contract by contract."""

from __future__ import annotations

from datetime import date

import pytest
from reimbursement_engine.domain.contract_choice import ContractScope, VersionRef
from reimbursement_engine.domain.contract_match import ChoiceOutcome, ClaimRoute, ClaimType, choose_contract

DOS = date(2025, 3, 14)


def ref(
    contract: str, scope: ContractScope, *, start: date = date(2025, 1, 1), status: str = "active"
) -> VersionRef:
    return VersionRef(contract, 1, "payer-uuid", "60054", status, start, None, None, scope, contract)


PROFESSIONAL = ref(
    "ppo-prof",
    ContractScope(
        line_of_business="commercial",
        claim_types=frozenset({"professional"}),
        provider_tins=frozenset({"12-3456789"}),
    ),
)
FACILITY = ref(
    "ppo-outpatient",
    ContractScope(
        line_of_business="commercial",
        claim_types=frozenset({"institutional"}),
        bill_types=frozenset({"13"}),
    ),
)
ADVANTAGE = ref(
    "ma-prof",
    ContractScope(line_of_business="medicare_advantage", claim_types=frozenset({"professional"})),
)
MEDICAID_PLAN = ref(
    "medicaid-plan-a",
    ContractScope(
        line_of_business="medicaid_managed_care",
        plan_ids=frozenset({"plan-a"}),
        claim_types=frozenset({"professional"}),
    ),
)
ALL = [PROFESSIONAL, FACILITY, ADVANTAGE, MEDICAID_PLAN]


def route(claim_type: ClaimType = ClaimType.PROFESSIONAL, **said: str) -> ClaimRoute:
    return ClaimRoute(payer_id="60054", claim_type=claim_type, **said)


@pytest.mark.parametrize(
    ("claim", "contract"),
    [
        (route(line_of_business="commercial"), "ppo-prof"),
        (route(line_of_business="commercial", billing_tin="123456789"), "ppo-prof"),
        (route(line_of_business="medicare_advantage"), "ma-prof"),
        (route(ClaimType.INSTITUTIONAL, type_of_bill="0131"), "ppo-outpatient"),
        (route(ClaimType.INSTITUTIONAL, type_of_bill="131", line_of_business="commercial"), "ppo-outpatient"),
        (route(plan_id="plan-a"), "medicaid-plan-a"),
        (route(line_of_business="commercial", contract_id="ma-prof"), "ma-prof"),  # named wins
    ],
)
def test_a_claim_goes_to_the_contract_that_fits_it_best(claim: ClaimRoute, contract: str) -> None:
    choice = choose_contract(ALL, DOS, claim)
    assert choice.outcome is ChoiceOutcome.CHOSEN
    assert choice.ref is not None and choice.ref.contract_id == contract


def test_the_reason_names_the_contract_what_matched_and_what_was_ruled_out() -> None:
    choice = choose_contract(ALL, DOS, route(line_of_business="commercial", billing_tin="12-3456789"))
    assert choice.reason.startswith(
        "contract 'ppo-prof' ppo-prof v1 (matches line of business commercial, claim type professional, "
        "billing TIN 12-3456789), payer 60054, in force on 2025-03-14; ruled out "
    )
    assert "'ma-prof' ma-prof v1: line of business commercial is not medicare_advantage" in choice.reason
    assert "'ppo-outpatient' ppo-outpatient v1: claim type professional is not institutional" in choice.reason


def test_two_equally_good_contracts_are_flagged_never_picked() -> None:
    # a professional claim that says neither plan nor line of business: PPO and MA both fit
    choice = choose_contract(ALL, DOS, route())
    assert choice.outcome is ChoiceOutcome.AMBIGUOUS
    assert choice.ref is None
    assert "'ppo-prof'" in choice.reason and "'ma-prof'" in choice.reason
    assert choice.reason.startswith("ambiguous contract on 2025-03-14")


def test_two_unscoped_contracts_with_one_payer_are_ambiguous_even_if_one_started_later() -> None:
    older = ref("old", ContractScope(), start=date(2024, 1, 1))
    newer = ref("new", ContractScope(), start=date(2025, 1, 1))
    assert choose_contract([older, newer], DOS, route()).outcome is ChoiceOutcome.AMBIGUOUS


@pytest.mark.parametrize(
    ("claim", "reason"),
    [
        (route(line_of_business="workers_compensation"), "fits the claim"),
        (route(ClaimType.INSTITUTIONAL, type_of_bill="0111"), "type of bill 11 is not 13"),
        (route(line_of_business="commercial", billing_tin="98-7654321"), "billing TIN 98-7654321"),
        (ClaimRoute(payer_id="OTHER", claim_type=ClaimType.PROFESSIONAL), "no contract with payer OTHER"),
    ],
)
def test_a_claim_no_contract_fits_waits_with_the_reason(claim: ClaimRoute, reason: str) -> None:
    choice = choose_contract(ALL, DOS, claim)
    assert choice.outcome is ChoiceOutcome.NONE
    assert reason in choice.reason


def test_drafts_and_contracts_not_yet_in_force_are_not_candidates() -> None:
    draft = ref("draft-ma", ADVANTAGE.scope, status="draft")
    later = ref("later-ma", ADVANTAGE.scope, start=date(2025, 6, 1))
    choice = choose_contract([PROFESSIONAL, draft, later], DOS, route())
    assert choice.ref is not None and choice.ref.contract_id == "ppo-prof"
