"""Parse 837P (005010X222A2) and 837I (005010X223A3) claims into `Claim837` records.

The hierarchical loops (HL 20 billing provider, 22 subscriber, 23 patient) set the context each
CLM is submitted under; NM1 segments after a CLM belong to that claim's own loops (other payers,
rendering providers) and never change the context.

An upload may hold several interchanges. Every breach is collected before anything is refused:
envelope counts and control numbers, each claim that cannot be read (with all its bad dates),
CLM02 totals and repeated CLM01s. `parse_837` raises one `X12Refusal` listing all of them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from .claims import Claim837, ClaimKind
from .elements import fail, text
from .envelope import TransactionSet, read_interchanges
from .errors import Breach, X12Error, X12Refusal
from .map_837 import ClaimLoop837, LineLoop837, SubmissionContext, TransactionInfo, claim_837, note_site
from .rules_837 import check_claims, date_breaches
from .tokenizer import Segment, Separators

SUPPORTED_837_VERSIONS = {
    "005010X222A1": ClaimKind.PROFESSIONAL,
    "005010X222A2": ClaimKind.PROFESSIONAL,
    "005010X223A1": ClaimKind.INSTITUTIONAL,
    "005010X223A2": ClaimKind.INSTITUTIONAL,
    "005010X223A3": ClaimKind.INSTITUTIONAL,
}


@dataclass(frozen=True, slots=True)
class Read837:
    """The claims an 837 upload holds and every breach that refuses it (none: it can be taken)."""

    claims: tuple[Claim837, ...]
    breaches: tuple[Breach, ...]


def parse_837(data: bytes | str) -> list[Claim837]:
    """Every claim of every 837 transaction; `X12Refusal` listing every breach when refused."""
    read = read_837(data)
    if read.breaches:
        raise X12Refusal(read.breaches)
    return list(read.claims)


def read_837(data: bytes | str) -> Read837:
    """Read every interchange, transaction and claim, collecting breaches instead of stopping.

    Raises X12Error only when the envelope itself cannot be followed (bad ISA, segments out of
    order, a file that ends early).
    """
    claims: list[Claim837] = []
    breaches: dict[tuple[int, str], Breach] = {}
    for interchange in read_interchanges(data):
        _collect(breaches, (f.breach for f in interchange.findings))
        for ts in interchange.transactions:
            claims.extend(_transaction_claims(ts, interchange.separators, breaches))
    _collect(breaches, (f.breach for f in check_claims(claims)))
    ordered = sorted(breaches.values(), key=lambda b: b.segment_index)
    return Read837(tuple(claims), tuple(ordered))


def _transaction_claims(
    ts: TransactionSet, separators: Separators, breaches: dict[tuple[int, str], Breach]
) -> list[Claim837]:
    claims: list[Claim837] = []
    try:
        info = _transaction_info(ts, separators)
        loops = _claim_loops(ts.body)
    except X12Error as error:
        _collect(breaches, error.breaches)
        return claims
    for loop in loops:
        try:
            claims.append(claim_837(loop, info))
        except X12Error as error:
            _collect(breaches, error.breaches)
            segments = [*loop.segments, *(s for line in loop.lines for s in line.segments)]
            _collect(breaches, date_breaches(segments))
    return claims


def _collect(breaches: dict[tuple[int, str], Breach], found: Iterable[Breach]) -> None:
    """Add `found`, once per segment and rule (a claim's dates are checked twice when it fails)."""
    for breach in found:
        breaches.setdefault((breach.segment_index, breach.rule), breach)


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
        return replace(
            context,
            payer_name=None,
            payer_id=None,
            member_id=None,
            line_of_business=None,
            subscriber_zip=None,
            patient_zip=None,
        )
    return replace(context, patient_zip=None)  # 23: a patient of the subscriber, with their own N4


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
