"""The parties to a contract: the provider organisation's identifiers and its locations.

NPIs are checked with the Luhn formula over "80840" + the first nine digits (CMS's NPI standard);
a location's Medicare locality (MAC + locality number) must be one of the localities the caller
passes in (read from CMS's GPCI file by an adapter: the domain does no I/O).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from enum import IntEnum

from .errors import InvalidField

_TIN = re.compile(r"[0-9]{2}-?[0-9]{7}")
_NPI = re.compile(r"[0-9]{10}")
_MAC = re.compile(r"[0-9]{5}")
_LOCALITY = re.compile(r"[0-9]{2}")


class InvalidParty(InvalidField):
    """A TIN, NPI, location or approver role that is not valid."""


class NpiType(IntEnum):
    """Type 1: an individual practitioner; type 2: an organisation."""

    INDIVIDUAL = 1
    ORGANISATION = 2


def npi_check_digit_ok(npi: str) -> bool:
    """Luhn check over the card-issuer prefix 80840 followed by the NPI's ten digits."""
    digits = [int(d) for d in "80840" + npi]
    total = 0
    for index, digit in enumerate(reversed(digits)):
        if index % 2 == 1:
            digit *= 2
            digit -= 9 if digit > 9 else 0
        total += digit
    return total % 10 == 0


@dataclass(frozen=True, slots=True)
class Npi:
    number: str
    type: NpiType
    name: str = ""

    def __post_init__(self) -> None:
        if not _NPI.fullmatch(self.number):
            raise InvalidParty("npi", f"{self.number!r} is not 10 digits")
        if not npi_check_digit_ok(self.number):
            raise InvalidParty("npi", f"{self.number} fails the NPI check digit (Luhn)")


@dataclass(frozen=True, slots=True)
class Tin:
    """A taxpayer identification number (EIN), stored as written by the IRS: 12-3456789."""

    number: str
    name: str = ""

    def __post_init__(self) -> None:
        if not _TIN.fullmatch(self.number):
            raise InvalidParty("tin", f"{self.number!r} is not an EIN (9 digits, e.g. 12-3456789)")

    @property
    def canonical(self) -> str:
        digits = self.number.replace("-", "")
        return f"{digits[:2]}-{digits[2:]}"


@dataclass(frozen=True, slots=True)
class MedicareLocality:
    """A Medicare Administrative Contractor number and one of its locality numbers."""

    mac: str
    locality: str

    def __post_init__(self) -> None:
        if not _MAC.fullmatch(self.mac):
            raise InvalidParty("mac", f"{self.mac!r} is not a 5-digit MAC number (e.g. 01112)")
        if not _LOCALITY.fullmatch(self.locality):
            raise InvalidParty("locality", f"{self.locality!r} is not a 2-digit locality number")


_ZIP = re.compile(r"[0-9]{5}(-?[0-9]{4})?")
_CBSA = re.compile(r"[0-9]{5}")


@dataclass(frozen=True, slots=True)
class Location:
    """Where services are rendered: its NPIs and ZIP find it from a claim (837 service facility or
    billing provider); its Medicare locality prices % of Medicare terms, its CBSA the facility's
    wage index."""

    name: str
    address: str
    medicare_locality: MedicareLocality
    npis: tuple[str, ...] = ()
    zip_code: str | None = None
    cbsa: str | None = None

    def __post_init__(self) -> None:
        for index, npi in enumerate(self.npis):
            try:
                Npi(npi, NpiType.ORGANISATION)
            except InvalidParty as refused:
                raise InvalidParty(f"npis[{index}]", refused.message) from None
        if self.zip_code is not None and not _ZIP.fullmatch(self.zip_code):
            raise InvalidParty("zip_code", f"{self.zip_code!r} is not a ZIP code (5 digits or ZIP+4)")
        if self.cbsa is not None and not _CBSA.fullmatch(self.cbsa):
            raise InvalidParty("cbsa", f"{self.cbsa!r} is not a 5-digit CBSA code (e.g. 41860)")


@dataclass(frozen=True, slots=True, kw_only=True)
class OrganisationProfile:
    """The provider organisation (the tenant): identifiers, locations and who approves contracts."""

    name: str
    tins: tuple[Tin, ...] = ()
    npis: tuple[Npi, ...] = ()
    locations: tuple[Location, ...] = ()
    required_approver_roles: frozenset[str] = frozenset()

    def check_localities(self, known: Collection[MedicareLocality]) -> None:
        """Refuse a location whose MAC + locality is not in the CMS GPCI file."""
        for index, location in enumerate(self.locations):
            locality = location.medicare_locality
            if locality not in known:
                raise InvalidParty(
                    f"locations[{index}].medicare_locality",
                    f"MAC {locality.mac} locality {locality.locality} is not a Medicare locality "
                    "in the CY2025 GPCI file",
                )

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise InvalidParty("name", "the organisation needs a name")
        numbers = [npi.number for npi in self.npis]
        if len(set(numbers)) != len(numbers):
            raise InvalidParty("npis", "an NPI is listed twice")
        located = [npi for location in self.locations for npi in location.npis]
        if len(set(located)) != len(located):
            raise InvalidParty(
                "locations", "an NPI is listed at two locations: a claim would not tell them apart"
            )
        for role in self.required_approver_roles:
            if not re.fullmatch(r"[a-z][a-z0-9_-]{0,39}", role):
                raise InvalidParty("required_approver_roles", f"{role!r} is not a role name (e.g. legal)")
