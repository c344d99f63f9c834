"""Where a claim's service was rendered: the Medicare locality (GPCIs) and, for facility claims,
the CBSA (wage index), from the organisation's locations.

Order: a locality stated on the claim; the location whose NPI is the service facility's, then the
billing provider's; else the service facility's (then the billing provider's) ZIP code through
CMS's ZIP-to-locality file. Nothing found: national GPCIs, and the explanation says so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .contract_match import ClaimType
from .pricing.claim import Claim
from .pricing.medicare import LocalityKey


@dataclass(frozen=True, slots=True)
class OrgLocation:
    """One of the organisation's locations as the registry publishes it."""

    name: str
    locality: LocalityKey
    npis: frozenset[str] = frozenset()
    zip_code: str | None = None
    cbsa: str | None = None


@dataclass(frozen=True, slots=True)
class ServiceSite:
    """What a claim says about where it was rendered (837 loops 2310C/2310E and 2010AA)."""

    stated_locality: LocalityKey | None = None
    service_facility_npi: str | None = None
    service_facility_zip: str | None = None
    billing_npi: str | None = None
    billing_zip: str | None = None

    @property
    def zip_codes(self) -> tuple[str, ...]:
        return tuple(z for z in (self.service_facility_zip, self.billing_zip) if z)


@dataclass(frozen=True, slots=True)
class DerivedPlace:
    """The locality and CBSA that price the claim, and how they were found (for the explanation)."""

    locality: LocalityKey | None
    cbsa: str | None
    how: str

    def describe(self, facility: bool) -> str:
        where = "national GPCIs" if self.locality is None else f"Medicare locality {self.locality}"
        text = f"{where}: {self.how}"
        if facility:
            text += f"; CBSA {self.cbsa}" if self.cbsa else "; CBSA unknown"
        return text


def zip5(zip_code: str | None) -> str | None:
    """The 5-digit ZIP of a ZIP or ZIP+4 (N403 carries 9 digits in 837 files)."""
    if not zip_code:
        return None
    digits = zip_code.replace("-", "").strip()
    head = digits[:5]
    return head if len(head) == 5 and head.isascii() and head.isdigit() else None


def _by_npi(locations: Sequence[OrgLocation], npi: str | None) -> OrgLocation | None:
    if not npi:
        return None
    return next((loc for loc in locations if npi in loc.npis), None)


def _by_zip(locations: Sequence[OrgLocation], zip_code: str) -> OrgLocation | None:
    return next((loc for loc in locations if zip5(loc.zip_code) == zip_code), None)


def derive_place(
    site: ServiceSite,
    locations: Sequence[OrgLocation],
    zip_localities: Mapping[str, LocalityKey],
) -> DerivedPlace:
    """The locality (and CBSA) of the location that rendered the service."""
    if site.stated_locality is not None:
        return DerivedPlace(site.stated_locality, None, "stated on the claim")
    for role, npi in (
        ("service facility", site.service_facility_npi),
        ("billing provider", site.billing_npi),
    ):
        location = _by_npi(locations, npi)
        if location is not None:
            how = f"location {location.name!r} by the {role} NPI {npi}"
            return DerivedPlace(location.locality, location.cbsa, how)
    for role, raw in (
        ("service facility", site.service_facility_zip),
        ("billing provider", site.billing_zip),
    ):
        zip_code = zip5(raw)
        if zip_code is None:
            continue
        locality = zip_localities.get(zip_code)
        if locality is not None:
            location = _by_zip(locations, zip_code)
            how = f"{role} ZIP {zip_code} in CMS's ZIP-to-locality file"
            return DerivedPlace(locality, location.cbsa if location else None, how)
    return DerivedPlace(None, None, "no location of the organisation matches the claim's NPIs or ZIP codes")


def place_of_service_missing(claim: Claim, claim_type: ClaimType) -> str | None:
    """Why a professional claim cannot be priced without a place of service (facility or
    non-facility practice expense cannot be told); None when it can (institutional: facility)."""
    if claim_type is not ClaimType.PROFESSIONAL or not claim.lines_without_place:
        return None
    numbers = ", ".join(str(n) for n in claim.lines_without_place)
    return (
        f"no place of service on line(s) {numbers} of a professional claim: facility or "
        "non-facility rates cannot be told apart (send place_of_service)"
    )
