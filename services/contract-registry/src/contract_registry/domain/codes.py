"""Code systems, their code formats, and the matchers that say which codes a term covers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from .errors import InvalidPaymentTerm


class CodeSystem(StrEnum):
    """Code system of a billed code or a fee schedule row."""

    CPT = "CPT"
    HCPCS = "HCPCS"
    REV = "REV"
    MSDRG = "MSDRG"
    APC = "APC"


class Setting(StrEnum):
    """Medicare site of service: facility or non-facility practice expense."""

    FACILITY = "facility"
    NON_FACILITY = "non_facility"


# Category I CPT is five digits; Category II ends in F, Category III in T, PLA codes in U.
_CODE_FORMATS: dict[CodeSystem, tuple[re.Pattern[str], str]] = {
    CodeSystem.CPT: (
        re.compile(r"[0-9]{4}[0-9FTU]"),
        "4 digits then a digit, F, T or U (e.g. 99213, 0001T)",
    ),
    CodeSystem.HCPCS: (re.compile(r"[A-Z][0-9]{4}"), "a letter then 4 digits (e.g. J1885, G0008)"),
    CodeSystem.REV: (re.compile(r"0[0-9]{3}"), "4 digits starting with 0 (e.g. 0450, 0278)"),
    CodeSystem.MSDRG: (
        re.compile(r"(?!000)[0-9]{3}"),
        "3 digits from 001 to 999 (e.g. 470)",
    ),
    CodeSystem.APC: (re.compile(r"[0-9]{4}"), "4 digits (e.g. 5012)"),
}
_MODIFIER = re.compile(r"[A-Z0-9]{2}")
_PLACE_OF_SERVICE = re.compile(r"[0-9]{2}")


def code_format_problem(code_system: CodeSystem, code: str) -> str | None:
    """Why `code` is not a valid code of `code_system`, or None when it is."""
    pattern, expected = _CODE_FORMATS[code_system]
    if pattern.fullmatch(code):
        return None
    return f"{code_system.value} code {code!r} is not {expected}"


def modifier_problem(modifier: str) -> str | None:
    """Why `modifier` is not a valid CPT/HCPCS modifier (2 letters or digits), or None."""
    if _MODIFIER.fullmatch(modifier):
        return None
    return f"modifier {modifier!r} is not 2 upper-case letters or digits (e.g. 26, TC, 59)"


def place_of_service_problem(place_of_service: str) -> str | None:
    """Why `place_of_service` is not a CMS two-digit place-of-service code, or None."""
    if _PLACE_OF_SERVICE.fullmatch(place_of_service) and place_of_service != "00":
        return None
    return f"place of service {place_of_service!r} is not a two-digit CMS code (e.g. 11, 22)"


@dataclass(frozen=True, slots=True)
class BilledCode:
    """A code as billed on a claim line."""

    code_system: CodeSystem
    code: str

    def __str__(self) -> str:
        return f"{self.code_system.value} {self.code}"


@dataclass(frozen=True, slots=True)
class CodeRange:
    """Inclusive range of codes of one system ("99201".."99499"); no bounds means every code."""

    code_system: CodeSystem
    first: str | None = None
    last: str | None = None

    def __post_init__(self) -> None:
        for name, bound in (("first", self.first), ("last", self.last)):
            problem = None if bound is None else code_format_problem(self.code_system, bound)
            if problem:
                raise InvalidPaymentTerm(f"CodeRange.{name}", problem)
        if self.first is not None and self.last is not None and self.first > self.last:
            raise InvalidPaymentTerm(
                "CodeRange.last", f"range {self.first}-{self.last} ends before it starts"
            )

    def covers(self, billed: BilledCode) -> bool:
        if billed.code_system is not self.code_system:
            return False
        if self.first is not None and billed.code < self.first:
            return False
        return self.last is None or billed.code <= self.last

    def __str__(self) -> str:
        if self.first is None and self.last is None:
            return f"all {self.code_system.value}"
        if self.first == self.last:
            return f"{self.code_system.value} {self.first}"
        return f"{self.code_system.value} {self.first or ''}-{self.last or ''}"


@dataclass(frozen=True, slots=True)
class CodeMatcher:
    """The codes a term covers: any of its ranges."""

    ranges: tuple[CodeRange, ...]

    def covers(self, billed: BilledCode) -> bool:
        return any(code_range.covers(billed) for code_range in self.ranges)

    @classmethod
    def codes(cls, code_system: CodeSystem, *codes: str) -> CodeMatcher:
        """A matcher for a list of single codes (e.g. implant revenue codes 0275, 0278)."""
        return cls(tuple(CodeRange(code_system, code, code) for code in codes))

    def __str__(self) -> str:
        return ", ".join(str(code_range) for code_range in self.ranges)
