"""The organisation's identifiers: NPI check digits, EINs, Medicare localities, approver roles."""

from __future__ import annotations

import pytest
from contract_registry.adapters.reference import medicare_localities
from contract_registry.domain import (
    InvalidParty,
    Location,
    MedicareLocality,
    Npi,
    NpiType,
    OrganisationProfile,
    Tin,
    npi_check_digit_ok,
)


@pytest.mark.parametrize(
    ("npi", "valid"),
    [("1234567893", True), ("1245319599", True), ("1234567890", False), ("1245319598", False)],
)
def test_npi_check_digit(npi: str, valid: bool) -> None:
    assert npi_check_digit_ok(npi) is valid


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Npi("123456789", NpiType.INDIVIDUAL), "is not 10 digits"),
        (lambda: Npi("1234567890", NpiType.ORGANISATION), "fails the NPI check digit"),
        (lambda: Tin("12345"), "is not an EIN"),
        (lambda: MedicareLocality("1112", "05"), "5-digit MAC"),
        (
            lambda: OrganisationProfile(name="X", required_approver_roles=frozenset({"Legal Dept"})),
            "role name",
        ),
    ],
)
def test_bad_identifiers_are_refused(build: object, message: str) -> None:
    with pytest.raises(InvalidParty, match=message):
        build()  # type: ignore[operator]


def test_locations_must_be_cms_localities() -> None:
    known = medicare_localities()
    assert len(known) == 109 and MedicareLocality("01112", "05") in known  # San Francisco
    profile = OrganisationProfile(
        name="St Mary", locations=(Location("Clinic", "", MedicareLocality("01112", "99")),)
    )
    with pytest.raises(InvalidParty, match="MAC 01112 locality 99 is not a Medicare locality"):
        profile.check_localities(known)
