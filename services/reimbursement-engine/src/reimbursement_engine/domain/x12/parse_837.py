"""Parse 837P (005010X222A2) and 837I (005010X223A3) claims into `Claim837` records.

The hierarchical loops (HL 20 billing provider, 22 subscriber, 23 patient) set the context each
CLM is submitted under; NM1 segments after a CLM belong to that claim's own loops (other payers,
rendering providers) and never change the context.
"""

from __future__ import annotations

from dataclasses import replace

from .claims import Claim837, ClaimKind
from .elements import fail, text
from .envelope import TransactionSet, read_interchange
from .map_837 import (
    ClaimLoop837,
    LineLoop837,
    SubmissionContext,
    TransactionInfo,
    claim_837,
    note_site,
)
from .tokenizer import Segment, Separators

SUPPORTED_837_VERSIONS = {
    "005010X222A1": ClaimKind.PROFESSIONAL,
    "005010X222A2": ClaimKind.PROFESSIONAL,
    "005010X223A1": ClaimKind.INSTITUTIONAL,
    "005010X223A2": ClaimKind.INSTITUTIONAL,
    "005010X223A3": ClaimKind.INSTITUTIONAL,
}


def parse_837(data: bytes | str) -> list[Claim837]:
    """Every claim of every 837 transaction in one interchange; X12Error when malformed."""
    interchange = read_interchange(data)
    claims: list[Claim837] = []
    for ts in interchange.transactions:
        info = _transaction_info(ts, interchange.separators)
        claims.extend(claim_837(loop, info) for loop in _claim_loops(ts.body))
    return claims


def _transaction_info(ts: TransactionSet, separators: Separators) -> TransactionInfo:
    if ts.set_id != "837":
        raise fail(ts.st, "ST01 = 837", f"transaction set {ts.set_id!r} is not an 837")
    kind = SUPPORTED_837_VERSIONS.get(ts.version)
    if kind is None:
        raise fail(ts.st, "837 version 005010X222A2 or X223A3", f"{ts.version!r} not supported")
    return TransactionInfo(kind, ts.version, ts.control_number, separators)


def _claim_loops(body: tuple[Segment, ...]) -> list[ClaimLoop837]:
    """Group segments into claims (CLM) and lines (LX), tracking the HL context."""
    loops: list[ClaimLoop837] = []
    context = SubmissionContext()
    claim: ClaimLoop837 | None = None
    line: LineLoop837 | None = None
    for segment in body:
        sid = segment.id
        if sid == "HL":
            claim = line = None
            context = _enter_level(context, text(segment, 3))
        elif sid == "CLM":
            claim, line = ClaimLoop837(segment, replace(context)), None
            loops.append(claim)
        elif sid == "LX" and claim is not None:
            line = LineLoop837(segment)
            claim.lines.append(line)
        elif line is not None:
            line.segments.append(segment)
        elif claim is not None:
            claim.segments.append(segment)
        elif sid in ("NM1", "REF"):
            _update_context(context, segment)
            note_site(context, segment)
        elif sid in ("N4", "SBR"):
            note_site(context, segment)
        elif sid in ("LX", "SV1", "SV2"):
            raise fail(segment, f"{sid} belongs to a claim (loop 2300)", "no CLM before it")
    return loops


def _enter_level(context: SubmissionContext, level: str) -> SubmissionContext:
    if level == "20":
        return SubmissionContext()
    if level == "22":
        return replace(context, payer_name=None, payer_id=None, member_id=None, line_of_business=None)
    return replace(context)


def _update_context(context: SubmissionContext, segment: Segment) -> None:
    entity = segment.element(1)
    if segment.id == "REF":
        if entity == "EI":
            context.provider_tin = segment.element(2) or None
    elif entity == "85":
        context.provider_name = segment.element(3) or None
        context.provider_npi = segment.element(9) if segment.element(8) == "XX" else None
    elif entity == "PR":
        context.payer_name, context.payer_id = segment.element(3) or None, segment.element(9) or None
    elif entity == "IL":
        context.member_id = segment.element(9) or None
