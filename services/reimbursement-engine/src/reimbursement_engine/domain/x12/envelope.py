"""The ISA/GS/ST envelopes: one interchange, its functional groups and transaction sets."""

from __future__ import annotations

from dataclasses import dataclass

from .elements import check_shape, fail, integer, text
from .errors import X12Error
from .tokenizer import Segment, Separators, tokenize

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


def read_interchange(data: bytes | str) -> Interchange:
    """Tokenize `data` and check its envelopes; exactly one interchange per input."""
    separators, segments = tokenize(data)
    cursor = _Cursor(segments)
    isa = cursor.next("ISA")
    transactions: list[TransactionSet] = []
    groups = 0
    segment = cursor.next("GS or IEA")
    while segment.id == "GS":
        groups += 1
        transactions.extend(_read_group(cursor, segment))
        segment = cursor.next("GS or IEA")
    _expect(segment, "IEA", "GS or IEA")
    _check_trailer(segment, groups, isa.element(13), "IEA01 = number of GS", "IEA02 = ISA13")
    if cursor.position != len(segments):
        extra = segments[cursor.position]
        raise fail(extra, "one interchange per input", "segments follow the IEA")
    sender, receiver = isa.element(6).strip(), isa.element(8).strip()
    return Interchange(separators, sender, receiver, isa.element(13), tuple(transactions))


def _read_group(cursor: _Cursor, gs: Segment) -> list[TransactionSet]:
    version = text(gs, 8)
    transactions: list[TransactionSet] = []
    segment = cursor.next("ST or GE")
    while segment.id == "ST":
        transactions.append(_read_transaction(cursor, segment, version))
        segment = cursor.next("ST or GE")
    _expect(segment, "GE", "ST or GE")
    _check_trailer(segment, len(transactions), gs.element(6), "GE01 = number of ST", "GE02 = GS06")
    return transactions


def _read_transaction(cursor: _Cursor, st: Segment, group_version: str) -> TransactionSet:
    body: list[Segment] = []
    segment = cursor.next("SE")
    while segment.id not in _ENVELOPE_IDS:
        body.append(segment)
        segment = cursor.next("SE")
    _expect(segment, "SE", "SE")
    if segment.element(2) != st.element(2):
        raise fail(segment, "SE02 = ST02", f"SE02 {segment.element(2)!r} != {st.element(2)!r}")
    version = st.element(3) or group_version
    count = integer(segment, 1)
    return TransactionSet(text(st, 1), text(st, 2), version, st, segment, tuple(body), count)


def _expect(segment: Segment, segment_id: str, expected: str) -> None:
    if segment.id != segment_id:
        raise fail(segment, f"envelope order: {expected} expected", f"found {segment.id}")


def _check_trailer(
    trailer: Segment, count: int, control_number: str, count_rule: str, control_rule: str
) -> None:
    if integer(trailer, 1) != count:
        raise fail(trailer, count_rule, f"declares {trailer.element(1)}, found {count}")
    if trailer.element(2) != control_number:
        raise fail(trailer, control_rule, f"{trailer.element(2)!r} != {control_number!r}")
