"""The ISA/GS/ST envelopes of 835s and 837s alike: interchanges, functional groups, transaction sets.

Segments out of order or a file that ends early raise `X12Error` (nothing after them can be read).
Counts and control numbers in the trailers (SE01/SE02, GE01/GE02, IEA01/IEA02) are checked on every
envelope and each mismatch is returned as a `Finding`, so one reading reports all of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .elements import check_shape, fail, text
from .errors import Finding, Rule, X12Error
from .tokenizer import Segment, Separators, tokenize_interchanges

_ENVELOPE_IDS = frozenset({"ISA", "IEA", "GS", "GE", "ST", "SE"})


@dataclass(frozen=True, slots=True)
class TransactionSet:
    """One ST..SE: its body excludes ST and SE."""

    set_id: str
    control_number: str
    version: str
    st: Segment
    se: Segment
    body: tuple[Segment, ...]
    declared_segment_count: int

    @property
    def segment_count(self) -> int:
        return len(self.body) + 2


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
    def __init__(self, segments: list[Segment]) -> None:
        self.segments = segments
        self.position = 0

    def next(self, expected: str) -> Segment:
        """The next segment, or an error saying the file ends before `expected`."""
        if self.position >= len(self.segments):
            last = self.segments[-1]
            message = f"file ends after segment {last.index} ({last.id}) before {expected}"
            raise X12Error(message, rule="truncated", segment_index=last.index + 1, segment_id="")
        segment = self.segments[self.position]
        self.position += 1
        check_shape(segment)
        return segment


def read_interchanges(data: bytes | str) -> tuple[Interchange, ...]:
    """Tokenize `data` and read every interchange in it, in file order."""
    return tuple(_interchange(sep, segments) for sep, segments in tokenize_interchanges(data))


def read_interchange(data: bytes | str) -> Interchange:
    """Exactly one interchange per input (an 835 remittance is one interchange)."""
    first, *others = read_interchanges(data)
    if others:
        second = others[0]
        message = f"a second interchange (ISA13 {second.control_number!r}) follows the first"
        rule = "one interchange per input"
        raise X12Error(message, rule=rule, segment_index=second.segment_index, segment_id="ISA")
    return first


def _interchange(separators: Separators, segments: list[Segment]) -> Interchange:
    cursor = _Cursor(segments)
    isa = cursor.next("ISA")
    findings: list[Finding] = []
    transactions: list[TransactionSet] = []
    groups = 0
    segment = cursor.next("GS or IEA")
    while segment.id == "GS":
        groups += 1
        transactions.extend(_read_group(cursor, segment, findings))
        segment = cursor.next("GS or IEA")
    _expect(segment, "IEA", "GS or IEA")
    findings += _trailer(segment, (groups, "functional groups"), isa.element(13), Rule.INTERCHANGE_COUNT)
    if cursor.position != len(segments):
        extra = segments[cursor.position]
        raise fail(extra, "after IEA only an ISA", f"{extra.id} follows the IEA")
    sender, receiver = isa.element(6).strip(), isa.element(8).strip()
    ordered = tuple(sorted(findings, key=lambda f: f.segment_index))
    control = isa.element(13)
    return Interchange(separators, sender, receiver, control, tuple(transactions), ordered, isa.index)


def _read_group(cursor: _Cursor, gs: Segment, findings: list[Finding]) -> list[TransactionSet]:
    version = text(gs, 8)
    transactions: list[TransactionSet] = []
    segment = cursor.next("ST or GE")
    while segment.id == "ST":
        transactions.append(_read_transaction(cursor, segment, version, findings))
        segment = cursor.next("ST or GE")
    _expect(segment, "GE", "ST or GE")
    findings += _trailer(segment, (len(transactions), "transaction sets"), gs.element(6), Rule.GROUP_COUNT)
    return transactions


def _read_transaction(
    cursor: _Cursor, st: Segment, group_version: str, findings: list[Finding]
) -> TransactionSet:
    body: list[Segment] = []
    segment = cursor.next("SE")
    while segment.id not in _ENVELOPE_IDS:
        body.append(segment)
        segment = cursor.next("SE")
    _expect(segment, "SE", "SE")
    version = st.element(3) or group_version
    count = len(body) + 2
    findings += _trailer(segment, (count, "segments from ST to SE"), st.element(2), Rule.SEGMENT_COUNT)
    declared = _count(segment)
    declared_count = count if declared is None else declared
    return TransactionSet(text(st, 1), text(st, 2), version, st, segment, tuple(body), declared_count)


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
