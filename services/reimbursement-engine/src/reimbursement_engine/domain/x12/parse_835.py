"""Parse an 835 remittance advice (005010X221A1) into `Remittance835`.

Why not pyx12 (4.x): it is a validator driven by XML implementation maps that reads from file
names or handles, hands back untyped nodes (`get_value("CLP04")` -> str) and raises its own
exception hierarchy. Every record would still need this module's mapping and error translation,
and walking the full TR3 map for each segment is work the typed records do not need. A tokenizer
plus a small loop reader does the job in pure functions: bytes/str in, frozen dataclasses out,
X12Error for anything malformed (10,000 claims in about a second).

The loop reader groups segments by the 835's loop triggers (CLP opens 2100, SVC opens 2110,
PLB closes the claims); mapping each group to a record is in `map_835`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from .elements import a_date, amount, fail, optional_date, optional_text, text
from .envelope import TransactionSet, read_interchange
from .errors import Finding, Rule, X12Error
from .map_835 import (
    ClaimLoop,
    LineLoop,
    claim_payment,
    ensure_claim,
    provider_adjustments,
)
from .remittance import ClaimPayment, Party, Remittance835, Transaction835
from .tokenizer import Segment, Separators

SUPPORTED_835_VERSIONS = frozenset({"005010X221A1", "005010X221"})
_CLAIM_OR_LINE_ONLY = frozenset({"CAS", "MIA", "MOA", "LQ", "AMT"})


@dataclass
class _Loops:
    """A transaction's body as it is read: header segments, claims mapped as each loop closes (its
    segments are then dropped), PLB segments and the notes of mapping."""

    separators: Separators
    header: list[Segment] = field(default_factory=list)
    claims: list[ClaimPayment] = field(default_factory=list)
    plb: list[Segment] = field(default_factory=list)
    notes: list[Finding] = field(default_factory=list)
    open_claim: ClaimLoop | None = None

    def close_claim(self) -> None:
        if self.open_claim is not None:
            self.claims.append(claim_payment(self.open_claim, self.separators, self.notes))
            self.open_claim = None


def parse_835(data: bytes | str) -> Remittance835:
    """Every 835 transaction in one interchange; raises X12Error when the file is malformed.

    Read in one pass: each claim is mapped as soon as its loop ends, so the file's segments are
    never all held at once (memory follows the claims, not the segments)."""
    interchange = read_interchange(data, _read_body)
    transactions = tuple(_transaction(ts) for ts in interchange.transactions)
    return Remittance835(
        interchange.sender_id,
        interchange.receiver_id,
        interchange.control_number,
        transactions,
        interchange.findings,
    )


def _read_body(separators: Separators, st: Segment, version: str, body: Iterator[Segment]) -> _Loops:
    set_id = text(st, 1)
    if set_id != "835":
        raise fail(st, "ST01 = 835", f"transaction set {set_id!r} is not an 835")
    if version not in SUPPORTED_835_VERSIONS:
        raise fail(st, "835 version 005010X221A1", f"version {version!r} is not supported")
    return _group(body, _Loops(separators))


def _transaction(ts: TransactionSet) -> Transaction835:
    loops: _Loops = ts.content
    notes = loops.notes
    plb = tuple(a for s in loops.plb for a in provider_adjustments(s, loops.separators, notes))
    bpr, trn = _header_segment(loops.header, ts.st, "BPR"), _header_segment(loops.header, ts.st, "TRN")
    production = next((s for s in loops.header if s.id == "DTM" and s.element(1) == "405"), None)
    payer, payee = _parties(loops.header, ts.st, trn)
    return Transaction835(
        ts.control_number,
        ts.version,
        text(bpr, 1),
        amount(bpr, 2),
        text(bpr, 3),
        optional_text(bpr, 4),
        _payment_date(bpr, notes),
        text(trn, 2),
        text(trn, 3),
        optional_date(production, 2) if production else None,
        payer,
        payee,
        tuple(loops.claims),
        plb,
        ts.segment_count,
        ts.declared_segment_count,
        bpr.index,
        ts.se.index,
        tuple(notes),
    )


def _group(body: Iterator[Segment], loops: _Loops) -> _Loops:
    """Split the body into header, claim loops (with their lines, mapped as each closes) and PLB."""
    line: LineLoop | None = None
    for segment in body:
        sid = segment.id
        if sid == "CLP":
            loops.close_claim()
            loops.open_claim, line = ClaimLoop(segment), None
        elif sid == "SVC":
            line = LineLoop(segment)
            ensure_claim(loops.open_claim, segment).lines.append(line)
        elif sid == "PLB":
            loops.close_claim()
            loops.plb.append(segment)
            line = None
        elif loops.plb:
            raise fail(segment, "PLB is the last loop of an 835", f"{sid} follows PLB")
        elif sid == "LX":
            loops.close_claim()
            line = None
        elif line is not None:
            line.segments.append(segment)
        elif loops.open_claim is not None:
            loops.open_claim.segments.append(segment)
        elif sid in _CLAIM_OR_LINE_ONLY:
            ensure_claim(None, segment)
        else:
            loops.header.append(segment)
    loops.close_claim()
    return loops


def _payment_date(bpr: Segment, notes: list[Finding]) -> date | None:
    """BPR16; published examples omit it or misdate it, and nothing balances on it: noted."""
    try:
        return a_date(bpr, 16)
    except X12Error as error:
        notes.append(Finding(Rule.PAYMENT_DATE, bpr.index, bpr.id, error.message))
        return None


def _header_segment(header: list[Segment], st: Segment, segment_id: str) -> Segment:
    for segment in header:
        if segment.id == segment_id:
            return segment
    raise fail(st, f"835 requires {segment_id}", f"no {segment_id} in transaction {st.element(2)}")


def _parties(header: list[Segment], st: Segment, trn: Segment) -> tuple[Party, Party]:
    """N1*PR (payer; id from N104, else REF*2U, else TRN03) and N1*PE (payee)."""
    parties: dict[str, Party] = {}
    current = ""
    for segment in header:
        if segment.id == "N1":
            current = text(segment, 1)
            name = segment.element(2)
            parties[current] = Party(name, optional_text(segment, 3), optional_text(segment, 4))
        elif segment.id == "REF" and current == "PR" and segment.element(1) == "2U":
            payer = parties["PR"]
            if payer.id is None:
                parties["PR"] = Party(payer.name, "2U", optional_text(segment, 2))
    for code in ("PR", "PE"):
        if code not in parties:
            raise fail(st, f"835 requires N1*{code}", f"no N1*{code} in transaction")
    payer = parties["PR"]
    if payer.id is None:
        payer = Party(payer.name, "TRN03", text(trn, 3))
    return payer, parties["PE"]
