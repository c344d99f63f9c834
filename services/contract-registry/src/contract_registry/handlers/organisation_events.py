"""organisation.updated: the profile as other services need it (locations; no approver roles)."""

from __future__ import annotations

from accord_common.events import CloudEvent, new_event

from contract_registry.domain import OrganisationProfile
from contract_registry.handlers.common import SOURCE


def organisation_event(organization_id: str, profile: OrganisationProfile) -> CloudEvent:
    """The engine derives a claim's Medicare locality and CBSA from these locations."""
    locations = [
        {
            "name": location.name,
            "medicare_locality": {
                "mac": location.medicare_locality.mac,
                "locality": location.medicare_locality.locality,
            },
            "npis": list(location.npis),
            "zip_code": location.zip_code,
            "cbsa": location.cbsa,
        }
        for location in profile.locations
    ]
    data = {"organization_id": organization_id, "name": profile.name, "locations": locations}
    return new_event(
        "organisation.updated",
        source=SOURCE,
        subject=organization_id,
        data=data,
        organization_id=organization_id,
    )
