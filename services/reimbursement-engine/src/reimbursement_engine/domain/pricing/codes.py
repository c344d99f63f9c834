"""Code systems, places of service and service categories (which lines a term covers)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class CodeSystem(StrEnum):
    """Code system of a billed code or a fee schedule row."""

    CPT_HCPCS = "CPT/HCPCS"
    REVENUE = "revenue code"
    MS_DRG = "MS-DRG"
    APC = "APC"


class Setting(StrEnum):
    """Medicare site of service: decides facility or non-facility practice expense."""

    FACILITY = "facility"
    NON_FACILITY = "non-facility"


# CMS MPFS: POS codes paid at the facility rate (Medicare Claims Processing Manual ch. 12 s. 20.4.2;
# POS 02 telehealth is paid at the facility rate, POS 10 telehealth in the home at non-facility).
FACILITY_PLACES_OF_SERVICE = frozenset(
    {"02", "19", "21", "22", "23", "24", "26", "31", "34", "41", "42", "51", "52", "53", "56", "61"}
)


def setting_for(place_of_service: str | None) -> Setting:
    """Facility or non-facility for a POS code; no POS (institutional claims) means facility."""
    if place_of_service is None:
        return Setting.FACILITY
    code = place_of_service.zfill(2)
    return Setting.FACILITY if code in FACILITY_PLACES_OF_SERVICE else Setting.NON_FACILITY


@dataclass(frozen=True, slots=True)
class CodeRange:
    """Inclusive range of codes of equal length, compared as text ("99201".."99499", "0360".."0369")."""

    low: str
    high: str

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and len(code) == len(self.low) and self.low <= code <= self.high

    def __str__(self) -> str:
        return self.low if self.low == self.high else f"{self.low}-{self.high}"


@dataclass(frozen=True, slots=True)
class ServiceCategory:
    """Which lines a payment term covers: a code system, optional code ranges and places of service.

    No ranges means every code of the system; no places of service means any place.
    """

    name: str
    code_system: CodeSystem
    code_ranges: tuple[CodeRange, ...] = ()
    places_of_service: frozenset[str] = frozenset()
    description: str = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        ranges = ", ".join(str(r) for r in self.code_ranges) or "all codes"
        places = f" POS {', '.join(sorted(self.places_of_service))}" if self.places_of_service else ""
        text = f"{self.name} ({self.code_system.value} {ranges}{places})"
        object.__setattr__(self, "description", text)

    def covers(self, code_system: CodeSystem, code: str, place_of_service: str | None) -> bool:
        if code_system is not self.code_system:
            return False
        if self.places_of_service and place_of_service not in self.places_of_service:
            return False
        return not self.code_ranges or any(code in r for r in self.code_ranges)


def codes(*items: str) -> tuple[CodeRange, ...]:
    """Ranges from "99201-99499" or single "27447" strings."""
    ranges = []
    for item in items:
        low, _, high = item.partition("-")
        ranges.append(CodeRange(low.strip(), (high or low).strip()))
    return tuple(ranges)
