"""Versions: no gaps or overlaps, retroactive amendments, reading as of a date, diffs."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from contract_registry.domain import (
    ContractVersion,
    FieldChange,
    InvalidContractTerms,
    PercentOfMedicareTerm,
    VersionGap,
    VersionOverlap,
    append_version,
    diff_versions,
    version_in_force,
)
from registry_factories import active_contract, contract_terms, professional_term

D = Decimal
TERMS = contract_terms()


def history(*spans: tuple[date, date | None]) -> tuple[ContractVersion, ...]:
    versions: tuple[ContractVersion, ...] = ()
    for start, end in spans:
        versions = append_version(
            versions, TERMS, effective_from=start, effective_to=end, today=date(2023, 1, 1)
        )
    return versions


def test_an_amendment_closes_the_open_ended_version_the_day_before() -> None:
    versions = history((date(2024, 1, 1), None), (date(2024, 7, 1), None))
    assert [(v.number, v.effective_from, v.effective_to) for v in versions] == [
        (1, date(2024, 1, 1), date(2024, 6, 30)),
        (2, date(2024, 7, 1), None),
    ]


def test_a_version_may_start_the_day_after_a_closed_version_ends() -> None:
    versions = history((date(2024, 1, 1), date(2024, 12, 31)), (date(2025, 1, 1), None))
    assert versions[0].effective_to == date(2024, 12, 31)


@pytest.mark.parametrize(
    ("spans", "new_start", "error", "message"),
    [
        (
            [(date(2024, 1, 1), date(2024, 12, 31))],
            date(2024, 12, 1),
            VersionOverlap,
            "version 2 from 2024-12-01 overlaps version 1 (2024-01-01 to 2024-12-31): "
            "it may start on 2025-01-01, the day after version 1 ends",
        ),
        (
            [(date(2024, 1, 1), date(2024, 12, 31))],
            date(2025, 3, 1),
            VersionGap,
            "version 2 from 2025-03-01 leaves a gap after version 1 (2024-01-01 to 2024-12-31): "
            "no version would be in force from 2025-01-01 to 2025-02-28",
        ),
        (
            [(date(2024, 1, 1), None), (date(2024, 7, 1), None)],
            date(2024, 7, 1),
            VersionOverlap,
            "version 3 from 2024-07-01 overlaps version 2 (2024-07-01 to open-ended): "
            "an amendment must start after 2024-07-01",
        ),
        (
            [(date(2024, 1, 1), None)],
            date(2023, 12, 1),
            InvalidContractTerms,
            "effective_from: version 2 starts 2023-12-01, before the contract's effective date 2024-01-01",
        ),
    ],
)
def test_overlapping_and_gapped_versions_are_refused_naming_the_dates(
    spans: list[tuple[date, date | None]], new_start: date, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=re.escape(message)):
        append_version(history(*spans), TERMS, effective_from=new_start, today=date(2023, 1, 1))


@pytest.mark.parametrize(
    ("effective_from", "today", "retroactive"),
    [
        (date(2024, 7, 1), date(2024, 6, 1), False),  # amendment signed a month ahead
        (date(2024, 7, 1), date(2024, 7, 1), False),  # signed the day it takes effect
        (date(2024, 7, 1), date(2024, 9, 15), True),  # signed in September, back-dated to July
    ],
)
def test_an_amendment_effective_before_today_is_marked_retroactive(
    effective_from: date, today: date, retroactive: bool
) -> None:
    contract = active_contract()
    version = contract.amend(contract_terms(), effective_from=effective_from, today=today)
    assert version.retroactive is retroactive


def test_a_payer_initiated_amendment_carries_its_objection_window() -> None:
    contract = active_contract()
    version = contract.amend(
        contract_terms(),
        effective_from=date(2024, 10, 1),
        today=date(2024, 8, 1),
        payer_initiated=True,
        objection_window_days=30,
    )
    assert (version.payer_initiated, version.objection_window_days) == (True, 30)


@pytest.mark.parametrize(
    ("payer_initiated", "window"),
    [(True, None), (False, 30)],
)
def test_the_objection_window_goes_with_payer_initiated_amendments_only(
    payer_initiated: bool, window: int | None
) -> None:
    with pytest.raises(InvalidContractTerms, match="objection_window_days"):
        ContractVersion(
            number=1,
            effective_from=date(2024, 1, 1),
            effective_to=None,
            terms=TERMS,
            payer_initiated=payer_initiated,
            objection_window_days=window,
        )


@pytest.mark.parametrize(
    ("on", "expected_number"),
    [
        (date(2023, 12, 31), None),
        (date(2024, 1, 1), 1),
        (date(2024, 6, 30), 1),
        (date(2024, 7, 1), 2),
        (date(2024, 12, 31), 2),
        (date(2025, 1, 1), 3),
        (date(2031, 5, 5), 3),
    ],
)
def test_the_version_in_force_on_a_date_of_service(on: date, expected_number: int | None) -> None:
    versions = history(
        (date(2024, 1, 1), None), (date(2024, 7, 1), date(2024, 12, 31)), (date(2025, 1, 1), None)
    )
    found = version_in_force(versions, on)
    assert (found.number if found else None) == expected_number


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("notice_days", 0, "notice_days: must be a positive whole number of days, got 0"),
        ("timely_filing_days", -95, "timely_filing_days: must be a positive whole number of days"),
        ("renewal_term_months", 0, "renewal_term_months: must be a positive whole number of months"),
        ("termination_date", date(2023, 12, 31), "termination_date: 2023-12-31 is before the effective date"),
        ("prompt_pay_interest_rate", D("5000"), "prompt_pay_interest_rate: must be within 0 < p <= 1000%"),
        ("renewal_term_months", None, "renewal_term_months: required when the contract auto-renews"),
        ("payment_terms", (professional_term(), professional_term()), "payment_terms: term names repeat"),
    ],
)
def test_contract_terms_are_validated_naming_the_field(field: str, value: object, message: str) -> None:
    with pytest.raises(InvalidContractTerms, match=re.escape(message)):
        contract_terms(**{field: value})


def test_diff_names_each_changed_field_with_old_and_new_values() -> None:
    old = history((date(2024, 1, 1), None))[0]
    richer = replace(professional_term(), methodology=PercentOfMedicareTerm(D("125")))
    others = TERMS.payment_terms[1:]
    new_terms = replace(TERMS, notice_days=120, payment_terms=(*others, richer), termination_date=None)
    new = replace(old, number=2, effective_from=date(2024, 7, 1), terms=new_terms)
    assert diff_versions(old, new) == (
        FieldChange("effective_from", "2024-01-01", "2024-07-01"),
        FieldChange("payment_terms[Professional services].methodology.percent", "120", "125"),
        FieldChange("terms.notice_days", 90, 120),
        FieldChange("terms.termination_date", "2024-12-31", None),
    )


def test_reordering_named_terms_is_not_a_change() -> None:
    old = history((date(2024, 1, 1), None))[0]
    new = replace(old, terms=replace(TERMS, payment_terms=tuple(reversed(TERMS.payment_terms))))
    assert diff_versions(old, new) == ()
