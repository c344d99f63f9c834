"""Split X12 text into segments, with separators read from the ISA segment itself.

The ISA is fixed-width (106 characters): its 4th character is the element separator, ISA16 is the
component separator and the character right after ISA16 terminates every segment. Nothing here
assumes `*`, `:` or `~`. Whitespace (spaces, tabs, CR, LF) around segments is layout, not data:
senders indent, pad and wrap lines. An upload may hold several interchanges one after another, each
with its own ISA and so its own delimiters.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from .errors import X12Error

ISA_LENGTH = 106
# Width of ISA01..ISA16 as the X12 envelope standard fixes them.
ISA_WIDTHS = (2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1)
SUPPORTED_ISA_VERSIONS = frozenset({"00501"})
_SEGMENT_ID = re.compile(r"[A-Z][A-Z0-9]{1,2}\Z")


@dataclass(frozen=True, slots=True)
class Separators:
    """The delimiters one interchange declares."""

    element: str
    component: str
    segment: str
    repetition: str | None


@dataclass(frozen=True, slots=True)
class Segment:
    """One segment: `elements[0]` is the segment id, so `element(1)` is e.g. CLP01."""

    index: int
    id: str
    elements: tuple[str, ...]

    def element(self, position: int) -> str:
        """The element at 1-based `position`, or "" when the segment is shorter."""
        if position < len(self.elements):
            return self.elements[position]
        return ""

    @property
    def element_count(self) -> int:
        return len(self.elements) - 1


def decode(data: bytes | str) -> str:
    """Bytes as text: UTF-8 when valid, otherwise Latin-1 (which maps every byte)."""
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def read_separators(text: str, segment_index: int = 0) -> Separators:
    """Read the delimiters from the ISA at the start of `text` (segment `segment_index` of the file)."""
    if not text.startswith("ISA"):
        raise _isa_error("input does not start with an ISA segment", "ISA first", segment_index)
    if len(text) < ISA_LENGTH:
        raise _isa_error("ISA segment is truncated", "ISA is 106 characters", segment_index)
    element = text[3]
    fields = text[4:ISA_LENGTH].split(element, 15)
    if len(fields) != 16:
        raise _isa_error("ISA does not have 16 elements", "ISA element count", segment_index)
    fields[15], segment = fields[15][:1], fields[15][1:2]
    for number, (value, width) in enumerate(zip(fields, ISA_WIDTHS, strict=True), start=1):
        if len(value) != width:
            rule = f"ISA{number:02d} is {width} characters wide"
            raise _isa_error(f"ISA{number:02d} is {value!r}", rule, segment_index)
    component = fields[15]
    if fields[11] not in SUPPORTED_ISA_VERSIONS:
        message = f"interchange version {fields[11]!r} is not supported (only 5010: 00501)"
        raise _isa_error(message, "ISA12 version", segment_index)
    # Some senders leave the 4010 "U" in ISA11: then there is simply no repetition separator.
    repetition = None if fields[10].isalnum() else fields[10]
    delimiters = [d for d in (element, component, segment, repetition) if d is not None]
    if any(d.isalnum() or d == " " for d in delimiters) or len(set(delimiters)) != len(delimiters):
        message = f"delimiters {delimiters!r} must be distinct non-alphanumeric characters"
        raise _isa_error(message, "ISA delimiters", segment_index)
    return Separators(element, component, segment, repetition)


def _isa_error(message: str, rule: str, segment_index: int) -> X12Error:
    return X12Error(message, rule=rule, segment_index=segment_index, segment_id="ISA")


def tokenize(data: bytes | str) -> tuple[Separators, list[Segment]]:
    """The first interchange's delimiters and all segments of the input, in file order."""
    interchanges = tokenize_interchanges(data)
    return interchanges[0][0], [s for _, segments in interchanges for s in segments]


def tokenize_interchanges(data: bytes | str) -> list[tuple[Separators, list[Segment]]]:
    """Each interchange (ISA..IEA) with its own delimiters; segment indexes count from the file start."""
    return [(separators, list(segments)) for separators, segments in stream_interchanges(data)]


def stream_interchanges(data: bytes | str) -> Iterator[tuple[Separators, Iterator[Segment]]]:
    """`tokenize_interchanges` one segment at a time: each interchange's segments are made as they
    are read (never a list of the file's segments), so memory follows the reader, not the file.
    Read each interchange's segments before asking for the next interchange."""
    text = decode(data).lstrip(_LAYOUT)
    counter = [0]  # segments read so far in the file: the next segment's index
    while True:
        separators = read_separators(text, counter[0])
        end = _interchange_end(text, separators)
        segments = _segments(text, end, separators, counter)
        yield separators, segments
        for _ in segments:  # what the reader left of this interchange
            pass
        text = text[end:].lstrip(_LAYOUT)
        if not text:
            return
        if not text.startswith("ISA"):
            raise _outside_interchange(text, separators, counter[0])


_LAYOUT = "\ufeff \t\r\n"


def _interchange_end(text: str, separators: Separators) -> int:
    """Where the interchange at the start of `text` ends: after its IEA's terminator."""
    terminator = re.escape(separators.segment)
    iea = re.compile(terminator + r"[ \t\r\n]*IEA" + re.escape(separators.element) + "[^" + terminator + "]*")
    found = iea.search(text, ISA_LENGTH - 1)
    if found is None:
        return len(text)
    return min(found.end() + 1, len(text))


def _segments(text: str, end: int, separators: Separators, counter: list[int]) -> Iterator[Segment]:
    """The segments of `text[:end]`, one at a time; `counter[0]` is the next segment's file index."""
    layout = "".join(c for c in " \t\r\n" if c not in (separators.element, separators.segment))
    terminator, element = separators.segment, separators.element
    valid_ids: set[str] = set()  # checking each distinct id once keeps large files fast
    start = 0
    while start <= end:
        stop = text.find(terminator, start, end)
        if stop < 0:
            stop = end
        raw = text[start:stop].strip(layout)
        start = stop + 1
        if not raw:
            continue
        elements = tuple(raw.split(element))
        segment_id = elements[0]
        if segment_id not in valid_ids:
            if not _SEGMENT_ID.match(segment_id):
                message = f"{segment_id[:10]!r} is not a segment identifier"
                raise X12Error(message, rule="segment id", segment_index=counter[0], segment_id="")
            valid_ids.add(segment_id)
        yield Segment(counter[0], segment_id, elements)
        counter[0] += 1


def _outside_interchange(text: str, separators: Separators, segment_index: int) -> X12Error:
    segment_id = text.split(separators.segment, 1)[0].split(separators.element, 1)[0].strip()[:3]
    message = f"{segment_id!r} follows the IEA: only another interchange (ISA) may follow"
    rule = "after IEA only an ISA"
    return X12Error(message, rule=rule, segment_index=segment_index, segment_id=segment_id)
