"""Procedure codes carried in composites such as SVC01 (835), SV101 and SV202 (837)."""

from __future__ import annotations

from dataclasses import dataclass

from .elements import component, components
from .errors import Finding, Rule
from .tokenizer import Segment, Separators


@dataclass(frozen=True, slots=True)
class ProcedureCode:
    """E.g. `HC:99213:25` -> code_system "HC" (CPT/HCPCS), code "99213", modifiers ("25",)."""

    code_system: str
    code: str
    modifiers: tuple[str, ...] = ()
    description: str | None = None


def procedure_code(
    segment: Segment, position: int, separators: Separators, notes: list[Finding]
) -> ProcedureCode | None:
    """The procedure composite at `position`, or None when the element is empty.

    A composite without a code (e.g. only "HC") is kept as far as it goes and noted.
    """
    if not segment.element(position):
        return None
    parts = components(segment, position, separators, notes)
    code_system, code = component(parts, 1), component(parts, 2)
    if not code_system or not code:
        name = f"{segment.id}{position:02d}"
        message = f"{name} {segment.element(position)!r} lacks a qualifier or a code"
        notes.append(Finding(Rule.COMPOSITE_SHAPE, segment.index, segment.id, message))
    modifiers = tuple(m for m in parts[2:6] if m)
    return ProcedureCode(code_system, code, modifiers, component(parts, 7) or None)
