"""Typed access to elements: required text, amounts as Decimal, dates, composites.

Every failure raises X12Error naming the element (e.g. "CLP04 is a decimal amount").
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from ..amounts import MAX_AMOUNT, MAX_PLACES
from .errors import Finding, Rule, X12Error
from .tokenizer import Segment, Separators

# (minimum, maximum) element counts from the 5010 TR3s, for the segments this package reads.
SEGMENT_SHAPES: dict[str, tuple[int, int]] = {
    "ISA": (16, 16),
    "IEA": (2, 2),
    "GS": (8, 8),
    "GE": (2, 2),
    "ST": (2, 3),
    "SE": (2, 2),
    "BPR": (4, 21),
    "TRN": (3, 4),
    "N1": (2, 6),
    "LX": (1, 1),
    "CLP": (7, 14),
    "CAS": (3, 19),
    "SVC": (3, 7),
    "DTM": (2, 6),
    "AMT": (2, 3),
    "MOA": (1, 9),
    "MIA": (1, 24),
    "LQ": (2, 2),
    "PLB": (4, 14),
    "REF": (2, 4),
    "NM1": (2, 12),
    "HL": (3, 4),
    "CLM": (5, 20),
    "DTP": (3, 3),
    "HI": (1, 12),
    "CL1": (1, 4),
    "SV1": (4, 21),
    "SV2": (5, 10),
}
_AMOUNT = re.compile(rf"-?([0-9]{{1,9}}(\.[0-9]{{0,{MAX_PLACES}}})?|\.[0-9]{{1,{MAX_PLACES}}})\Z")
_DATE = re.compile(r"[0-9]{8}\Z")
# Characters senders use as a component separator when they disagree with their own ISA16.
_ALTERNATE_COMPONENT_SEPARATORS = ">:|^\\!}"


def element_name(segment: Segment, position: int) -> str:
    return f"{segment.id}{position:02d}"


def fail(segment: Segment, rule: str, message: str) -> X12Error:
    return X12Error(message, rule=rule, segment_index=segment.index, segment_id=segment.id)


def check_shape(segment: Segment) -> None:
    """Raise when a segment this package reads has too few or too many elements."""
    shape = SEGMENT_SHAPES.get(segment.id)
    if shape is None:
        return
    low, high = shape
    count = segment.element_count
    if count > high:
        raise fail(segment, f"{segment.id} has at most {high} elements", f"found {count}")
    if count < low:
        rule = f"{segment.id} has at least {low} elements"
        raise fail(segment, rule, f"found {count}")


def text(segment: Segment, position: int) -> str:
    """A required element's value."""
    value = segment.element(position)
    if not value:
        name = element_name(segment, position)
        raise fail(segment, f"{name} is required", f"{name} is empty")
    return value


def identifier(segment: Segment, position: int) -> str:
    """A required identifier (e.g. CLM01, the patient control number): printable ASCII only, the
    X12 character set; an emoji or a full-width digit is refused, not stored."""
    value = text(segment, position)
    if not (value.isascii() and value.isprintable()):
        name = element_name(segment, position)
        raise fail(segment, f"{name} is printable ASCII", f"{name} has a character outside ASCII")
    return value


def optional_text(segment: Segment, position: int) -> str | None:
    return segment.element(position) or None


def amount(segment: Segment, position: int) -> Decimal:
    """A required decimal (X12 type R) element, e.g. a monetary amount."""
    return _decimal(segment, position, text(segment, position))


def optional_amount(segment: Segment, position: int) -> Decimal | None:
    value = segment.element(position)
    return _decimal(segment, position, value) if value else None


def _decimal(segment: Segment, position: int, value: str) -> Decimal:
    if not _AMOUNT.match(value) or abs(Decimal(value)) > MAX_AMOUNT:
        name = element_name(segment, position)
        bound = f"at most {MAX_AMOUNT}, {MAX_PLACES} places"
        raise fail(segment, f"{name} is a decimal number", f"{name} is {value[:20]!r} ({bound})")
    return Decimal(value)


def integer(segment: Segment, position: int) -> int:
    value = text(segment, position)
    if not value.isascii() or not value.isdigit() or len(value) > 10:
        name = element_name(segment, position)
        raise fail(segment, f"{name} is a whole number", f"{name} is {value[:20]!r}")
    return int(value)


def ccyymmdd(segment: Segment, position: int, value: str) -> date:
    """A CCYYMMDD date found in element `position` (the value may be part of that element)."""
    name = element_name(segment, position)
    if _DATE.match(value) and value.isascii():
        try:
            return date(int(value[:4]), int(value[4:6]), int(value[6:8]))
        except ValueError:
            pass
    raise fail(segment, f"{name} is a CCYYMMDD date", f"{name} is {value[:20]!r}")


def a_date(segment: Segment, position: int) -> date:
    return ccyymmdd(segment, position, text(segment, position))


def optional_date(segment: Segment, position: int) -> date | None:
    value = segment.element(position)
    return ccyymmdd(segment, position, value) if value else None


def components(
    segment: Segment, position: int, separators: Separators, notes: list[Finding]
) -> tuple[str, ...]:
    """Split a composite by ISA16.

    A composite that contains no ISA16 but exactly one other delimiter-like character is split on
    that character (senders do this) and the substitution is recorded in `notes`.
    """
    value = segment.element(position)
    if separators.component in value:
        return tuple(value.split(separators.component))
    taken = {separators.element, separators.segment, separators.repetition}
    found = {c for c in _ALTERNATE_COMPONENT_SEPARATORS if c in value and c not in taken}
    if len(found) != 1:
        return (value,)
    alternate = found.pop()
    name = element_name(segment, position)
    message = f"{name} {value!r} uses {alternate!r}; ISA16 is {separators.component!r}"
    notes.append(Finding(Rule.COMPONENT_SEPARATOR, segment.index, segment.id, message))
    return tuple(value.split(alternate))


def component(parts: tuple[str, ...], position: int) -> str:
    """The 1-based component of a split composite, or ""."""
    return parts[position - 1] if position <= len(parts) else ""
