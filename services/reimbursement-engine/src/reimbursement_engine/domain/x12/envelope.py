"""The ISA/GS/ST envelopes of 835s and 837s alike: interchanges, functional groups, transaction sets.

Segments out of order or a file that ends early raise `X12Error` (nothing after them can be read).
Counts and control numbers in the trailers (SE01/SE02, GE01/GE02, IEA01/IEA02) are checked on every
envelope and each mismatch is returned as a `Finding`, so one reading reports all of them.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from dataclasses import dataclass
from decimal import Decimal

from .elements import check_shape, fail, text
from .errors import Finding, Rule, X12Error
from .tokenizer import Segment, Separators, stream_interchanges

_ENVELOPE_IDS = frozenset({"ISA", "IEA", "GS", "GE", "ST", "SE"})


@dataclass(frozen=True, slots=True)
class TransactionSet:
    """One ST..SE: its body excludes ST and SE. Read through `stream_interchange`, `body` is only
    what the reader of `OpenTransaction.body` left unread (nothing, when it read it all)."""

    set_id: str
    control_number: str
    version: str
    st: Segment
    se: Segment
    body: tuple[Segment, ...]
    declared_segment_count: int
    body_segment_count: int

    @property
    def segment_count(self) -> int:
        return self.body_segment_count + 2


@dataclass(frozen=True, slots=True)
class OpenTransaction:
    """A transaction set whose ST was just read: `body` gives its segments up to the SE as they are
    read. Read it (or not) before asking the stream for its next item."""

    separators: Separators
    st: Segment
    version: str
    body: Iterator[Segment]


@dataclass(frozen=True, slots=True)
class Interchange:
    separators: Separators
    sender_id: str
    receiver_id: str
    control_number: str
    transactions: tuple[TransactionSet, ...]
    findings: tuple[Finding, ...] = ()
    segment_index: int = 0


class _Cursor:
    def __init__(self, segments: Iterator[Segment], separators: Separators) -> None:
        self.segments = segments
        self.separators = separators
        self.last: Segment | None = None
        self.held: Segment | None = None  # a segment read ahead and given back

    def next(self, expected: str) -> Segment:
        """The next segment, or an error saying the file ends before `expected`."""
        segment, self.held = self.held, None
        if segment is None:
            segment = next(self.segments, None)
            if segment is None:
                index = -1 if self.last is None else self.last.index
                said = "" if self.last is None else f" after segment {index} ({self.last.id})"
                message = f"file ends{said} before {expected}"
                raise X12Error(message, rule="truncated", segment_index=index + 1, segment_id="")
            check_shape(segment)
        self.last = segment
        return segment

    def give_back(self, segment: Segment) -> None:
        self.held = segment

    def body(self, counted: list[int]) -> Iterator[Segment]:
        """The transaction's body segments up to (not including) its trailer; counts them."""
        while True:
            segment = self.next("SE")
            if segment.id in _ENVELOPE_IDS:
                self.give_back(segment)
                return
            counted[0] += 1
            yield segment


def read_interchanges(data: bytes | str) -> tuple[Interchange, ...]:
    """Tokenize `data` and read every interchange in it, in file order (bodies kept)."""
    return tuple(_whole(_interchange(_Cursor(segments, sep))) for sep, segments in stream_interchanges(data))


EnvelopeItem = OpenTransaction | TransactionSet | Interchange


def stream_interchange(data: bytes | bytearray | str) -> Iterator[EnvelopeItem]:
    """Exactly one interchange per input (an 835 remittance is one interchange), read as a stream:
    for each transaction set an `OpenTransaction` (its body read by the caller, segment by
    segment, nothing kept) then the `TransactionSet` once its SE is read; last the `Interchange`
    with every envelope finding. A second interchange raises X12Error after the first is read."""
    interchanges = stream_interchanges(data)
    separators, segments = next(interchanges)
    yield from _interchange(_Cursor(segments, separators))
    for _, others in interchanges:
        second = _whole(_interchange(_Cursor(others, separators)))
        message = f"a second interchange (ISA13 {second.control_number!r}) follows the first"
        rule = "one interchange per input"
        raise X12Error(message, rule=rule, segment_index=second.segment_index, segment_id="ISA")


def _whole(items: Iterator[EnvelopeItem]) -> Interchange:
    """The interchange at the end of `items`, every transaction's body kept in its TransactionSet."""
    for item in items:
        if isinstance(item, Interchange):
            return item
    raise AssertionError("an interchange stream ends with its Interchange")  # pragma: no cover


def _interchange(cursor: _Cursor) -> Iterator[EnvelopeItem]:
    isa = cursor.next("ISA")
    findings: list[Finding] = []
    transactions: list[TransactionSet] = []
    groups = 0
    segment = cursor.next("GS or IEA")
    while segment.id == "GS":
        groups += 1
        yield from _read_group(cursor, segment, findings, transactions)
        segment = cursor.next("GS or IEA")
    _expect(segment, "IEA", "GS or IEA")
    findings += _trailer(segment, (groups, "functional groups"), isa.element(13), Rule.INTERCHANGE_COUNT)
    extra = next(cursor.segments, None)
    if extra is not None:
        raise fail(extra, "after IEA only an ISA", f"{extra.id} follows the IEA")
    sender, receiver = isa.element(6).strip(), isa.element(8).strip()
    ordered = tuple(sorted(findings, key=lambda f: f.segment_index))
    control = isa.element(13)
    yield Interchange(cursor.separators, sender, receiver, control, tuple(transactions), ordered, isa.index)


def _read_group(
    cursor: _Cursor, gs: Segment, findings: list[Finding], transactions: list[TransactionSet]
) -> Iterator[EnvelopeItem]:
    version = text(gs, 8)
    count = 0
    segment = cursor.next("ST or GE")
    while segment.id == "ST":
        count += 1
        transaction = yield from _read_transaction(cursor, segment, version, findings)
        transactions.append(transaction)
        yield transaction
        segment = cursor.next("ST or GE")
    _expect(segment, "GE", "ST or GE")
    findings += _trailer(segment, (count, "transaction sets"), gs.element(6), Rule.GROUP_COUNT)


def _read_transaction(
    cursor: _Cursor, st: Segment, group_version: str, findings: list[Finding]
) -> Generator[OpenTransaction, None, TransactionSet]:
    version = st.element(3) or group_version
    counted = [0]
    segments = cursor.body(counted)
    yield OpenTransaction(cursor.separators, st, version, segments)
    body = tuple(segments)  # what the caller left unread: all of it, or nothing
    segment = cursor.next("SE")
    _expect(segment, "SE", "SE")
    count = counted[0] + 2
    findings += _trailer(segment, (count, "segments from ST to SE"), st.element(2), Rule.SEGMENT_COUNT)
    declared = _count(segment)
    declared_count = count if declared is None else declared
    return TransactionSet(text(st, 1), text(st, 2), version, st, segment, body, declared_count, counted[0])


def _expect(segment: Segment, segment_id: str, expected: str) -> None:
    if segment.id != segment_id:
        raise fail(segment, f"envelope order: {expected} expected", f"found {segment.id}")


# Each trailer's count rule and the control-number rule that goes with it.
_CONTROL_RULE = {
    Rule.SEGMENT_COUNT: Rule.TRANSACTION_CONTROL,
    Rule.GROUP_COUNT: Rule.GROUP_CONTROL,
    Rule.INTERCHANGE_COUNT: Rule.INTERCHANGE_CONTROL,
}


def _trailer(
    trailer: Segment, counted: tuple[int, str], control_number: str, count_rule: Rule
) -> list[Finding]:
    """The trailer's count (element 1) and control number (element 2) against what it closes."""
    findings: list[Finding] = []
    count, what = counted
    declared, name = _count(trailer), trailer.id
    if declared != count:
        said = f"declares {declared}" if declared is not None else f"{trailer.element(1)!r} is not a number"
        message = f"{name}01 {said}; there are {count} {what}"
        actual = None if declared is None else Decimal(declared)
        findings.append(Finding(count_rule, trailer.index, name, message, Decimal(count), actual))
    if trailer.element(2) != control_number:
        header = {"SE": "ST02", "GE": "GS06", "IEA": "ISA13"}[name]
        message = f"{name}02 {trailer.element(2)!r} differs from {header} {control_number!r}"
        findings.append(Finding(_CONTROL_RULE[count_rule], trailer.index, name, message))
    return findings


def _count(trailer: Segment) -> int | None:
    value = trailer.element(1)
    if value.isascii() and value.isdigit() and len(value) <= 10:
        return int(value)
    return None
