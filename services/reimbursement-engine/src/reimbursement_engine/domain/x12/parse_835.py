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
from dataclasses import dataclass, field, replace
from datetime import date

from .elements import a_date, amount, fail, optional_date, optional_text, text
from .envelope import Interchange, OpenTransaction, TransactionSet, stream_interchange
from .errors import Finding, Rule, X12Error
from .map_835 import (
    ClaimLoop,
    LineLoop,
    claim_payment,
    ensure_claim,
    provider_adjustments,
)
from .remittance import ClaimPayment, Party, Payment835, Remittance835, Transaction835
from .tokenizer import Segment, Separators

SUPPORTED_835_VERSIONS = frozenset({"005010X221A1", "005010X221"})
_CLAIM_OR_LINE_ONLY = frozenset({"CAS", "MIA", "MOA", "LQ", "AMT"})

# What `stream_835` gives, in file order (see there).
Item835 = Payment835 | ClaimPayment | Transaction835 | Remittance835


@dataclass
class _Body:
    """A transaction's body as it is read: its header segments (up to the first claim or PLB),
    then its payment once the header is read, its PLB segments and the notes of mapping. A header
    that cannot be read is kept as `error`, raised once the whole file has been read."""

    separators: Separators
    st: Segment
    version: str
    header: list[Segment] = field(default_factory=list)
    payment: Payment835 | None = None
    error: X12Error | None = None
    plb: list[Segment] = field(default_factory=list)
    notes: list[Finding] = field(default_factory=list)
    header_notes: list[Finding] = field(default_factory=list)  # BPR16's, after the claims' notes

    @property
    def header_read(self) -> bool:
        return self.payment is not None or self.error is not None


def parse_835(data: bytes | str) -> Remittance835:
    """Every 835 transaction in one interchange; raises X12Error when the file is malformed."""
    transactions: list[Transaction835] = []
    claims: list[ClaimPayment] = []
    for item in stream_835(data):
        if isinstance(item, ClaimPayment):
            claims.append(item)
        elif isinstance(item, Transaction835):
            transactions.append(replace(item, claims=tuple(claims)))
            claims = []
        elif isinstance(item, Remittance835):
            return replace(item, transactions=tuple(transactions))
    raise AssertionError("an 835 stream ends with its Remittance835")  # pragma: no cover


def stream_835(data: bytes | bytearray | str) -> Iterator[Item835]:
    """The 835 read in one pass, as a stream: for each transaction its `Payment835` (once its header
    is read), its claims one at a time (each mapped as its loop closes, its segments dropped), then
    the `Transaction835` once its SE is read, with `claims=()` (they were given already), its PLB,
    counts and notes; last the `Remittance835` with `transactions=()` and the envelope findings.

    Memory follows one claim, not the file. Raises X12Error when the file is malformed: what cannot
    be read as it comes (a claim, a segment, the envelope) at once; a transaction whose header or
    PLB cannot be mapped once the whole file is read (so the error named is the one `parse_835`
    always named), its items held back from the point it is known."""
    body: _Body | None = None
    held_back: X12Error | None = None
    remittance: Remittance835 | None = None
    for item in stream_interchange(data):
        if isinstance(item, OpenTransaction):
            body = _Body(item.separators, item.st, item.version)
            for read in _read_body(item, body):
                if held_back is None and body.error is None:
                    yield read
        elif isinstance(item, TransactionSet):
            assert body is not None
            try:
                closed: Transaction835 | None = _transaction(item, body)
            except X12Error as error:
                closed, held_back = None, held_back or error
            if held_back is None and closed is not None:
                yield closed
        elif isinstance(item, Interchange):
            findings = item.findings
            remittance = Remittance835(item.sender_id, item.receiver_id, item.control_number, (), findings)
    if held_back is not None:
        raise held_back
    assert remittance is not None
    yield remittance


def _read_body(opened: OpenTransaction, body: _Body) -> Iterator[Payment835 | ClaimPayment]:
    """The body's payment and claims as they are read: header, claim loops (with their lines,
    mapped as each closes) and PLB."""
    _check_set(opened.st, opened.version)
    claim: ClaimLoop | None = None
    line: LineLoop | None = None
    for segment in opened.body:
        sid = segment.id
        if sid in ("CLP", "PLB"):
            if not body.header_read:
                yield from _read_header(body)
            if claim is not None:
                yield claim_payment(claim, body.separators, body.notes)
            claim, line = (ClaimLoop(segment), None) if sid == "CLP" else (None, None)
            if sid == "PLB":
                body.plb.append(segment)
        elif sid == "SVC":
            line = LineLoop(segment)
            ensure_claim(claim, segment).lines.append(line)
        elif body.plb:
            raise fail(segment, "PLB is the last loop of an 835", f"{sid} follows PLB")
        elif sid == "LX":
            if claim is not None:
                yield claim_payment(claim, body.separators, body.notes)
            claim, line = None, None
        elif line is not None:
            line.segments.append(segment)
        elif claim is not None:
            claim.segments.append(segment)
        elif sid in _CLAIM_OR_LINE_ONLY:
            ensure_claim(None, segment)
        elif not body.header_read:
            body.header.append(segment)
    if claim is not None:
        yield claim_payment(claim, body.separators, body.notes)
    if not body.header_read:
        yield from _read_header(body)


def _check_set(st: Segment, version: str) -> None:
    set_id = text(st, 1)
    if set_id != "835":
        raise fail(st, "ST01 = 835", f"transaction set {set_id!r} is not an 835")
    if version not in SUPPORTED_835_VERSIONS:
        raise fail(st, "835 version 005010X221A1", f"version {version!r} is not supported")


def _read_header(body: _Body) -> Iterator[Payment835]:
    """The payment the header states; nothing, with `body.error` kept, when it cannot be read."""
    try:
        body.payment = _payment(body.header, body.st, body.version, body.header_notes)
    except X12Error as error:
        body.error = error
    body.header = []
    if body.payment is not None:
        yield body.payment


def _payment(header: list[Segment], st: Segment, version: str, notes: list[Finding]) -> Payment835:
    bpr, trn = _header_segment(header, st, "BPR"), _header_segment(header, st, "TRN")
    production = next((s for s in header if s.id == "DTM" and s.element(1) == "405"), None)
    payer, payee = _parties(header, st, trn)
    return Payment835(
        st.element(2),
        version,
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
        bpr.index,
    )


def _transaction(ts: TransactionSet, body: _Body) -> Transaction835:
    """The transaction once its SE is read (claims=(): given one by one before it)."""
    notes = body.notes
    plb = tuple(a for s in body.plb for a in provider_adjustments(s, body.separators, notes))
    if body.error is not None:
        raise body.error
    p = body.payment
    assert p is not None
    notes += body.header_notes
    return Transaction835(
        ts.control_number,
        ts.version,
        p.handling_code,
        p.total_paid,
        p.credit_debit,
        p.payment_method,
        p.payment_date,
        p.trace_number,
        p.trace_originator_id,
        p.production_date,
        p.payer,
        p.payee,
        (),
        plb,
        ts.segment_count,
        ts.declared_segment_count,
        p.bpr_segment_index,
        ts.se.index,
        tuple(notes),
    )


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
