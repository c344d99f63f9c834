"""Split X12 text into segments, with separators read from the ISA segment itself.

The ISA is fixed-width (106 characters): its 4th character is the element separator, ISA16 is the
component separator and the character right after ISA16 terminates every segment. Nothing here
assumes `*`, `:` or `~`. Whitespace (spaces, tabs, CR, LF) around segments is layout, not data:
senders indent, pad and wrap lines. An upload may hold several interchanges one after another, each
with its own ISA and so its own delimiters.
"""

from __future__ import annotations

import codecs
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


def stream_interchanges(data: bytes | bytearray | str) -> Iterator[tuple[Separators, Iterator[Segment]]]:
    """`tokenize_interchanges` one segment at a time: each interchange's segments are made as they
    are read (never a list of the file's segments), and bytes are decoded a window at a time (never
    the whole file as text), so memory follows the reader, not the file.
    Read each interchange's segments before asking for the next interchange."""
    text = _Text(data)
    text.skip(_LAYOUT)
    counter = [0]  # segments read so far in the file: the next segment's index
    while True:
        separators = read_separators(text.peek(ISA_LENGTH), counter[0])
        segments = _segments(text, separators, counter)
        yield separators, segments
        for _ in segments:  # what the reader left of this interchange
            pass
        text.skip(_LAYOUT)
        if text.at_end():
            return
        if not text.peek(3) == "ISA":
            raise _outside_interchange(text.first_segment(separators), separators, counter[0])


_LAYOUT = "\ufeff \t\r\n"
_WINDOW = 1 << 20  # bytes decoded at a time


class _Text:
    """The input as text from a read position on, bytes decoded a window at a time: UTF-8 when the
    whole input is valid UTF-8, otherwise Latin-1 (as `decode`). Offsets are from the position."""

    def __init__(self, data: bytes | bytearray | str) -> None:
        self._text = data if isinstance(data, str) else ""
        self._windows = iter(()) if isinstance(data, str) else _decoded(data)
        self._at = 0

    def _more(self) -> bool:
        window = next(self._windows, None)
        if window is None:
            return False
        self._text, self._at = self._text[self._at :] + window, 0
        return True

    def peek(self, length: int) -> str:
        while len(self._text) - self._at < length and self._more():
            pass
        return self._text[self._at : self._at + length]

    def find(self, char: str) -> int:
        """The offset of the next `char`, or -1 when the input ends first."""
        searched = 0
        while (found := self._text.find(char, self._at + searched)) < 0:
            searched = len(self._text) - self._at
            if not self._more():
                return -1
        return found - self._at

    def take(self, length: int) -> str:
        taken = self._text[self._at : self._at + length]
        self._at += length
        return taken

    def rest(self) -> str:
        while self._more():
            pass
        return self.take(len(self._text) - self._at)

    def skip(self, chars: str) -> None:
        """Past any of `chars`."""
        run = re.compile(f"[{re.escape(chars)}]*")
        while True:
            self._at = run.match(self._text, self._at).end()  # type: ignore[union-attr]
            if self._at < len(self._text) or not self._more():
                return

    def at_end(self) -> bool:
        return self._at >= len(self._text) and not self._more()

    def first_segment(self, separators: Separators) -> str:
        stop = self.find(separators.segment)
        return self.rest() if stop < 0 else self.peek(stop)


def _decoded(data: bytes | bytearray) -> Iterator[str]:
    codec = "latin-1" if data.isascii() or not _valid_utf8(data) else "utf-8"
    decoder = codecs.getincrementaldecoder(codec)()
    view = memoryview(data)
    for start in range(0, len(data), _WINDOW):
        yield decoder.decode(view[start : start + _WINDOW], final=start + _WINDOW >= len(data))


def _valid_utf8(data: bytes | bytearray) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(data)
    try:
        for start in range(0, len(data), _WINDOW):
            decoder.decode(view[start : start + _WINDOW])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _segments(text: _Text, separators: Separators, counter: list[int]) -> Iterator[Segment]:
    """The segments of the interchange at the start of `text`, one at a time, up to and with its
    IEA (the first segment after the ISA whose text is IEA and an element separator) or the end of
    the input; `counter[0]` is the next segment's file index."""
    layout = "".join(c for c in " \t\r\n" if c not in (separators.element, separators.segment))
    terminator, element = separators.segment, separators.element
    iea = re.compile(r"[ \t\r\n]*IEA" + re.escape(element))
    valid_ids: set[str] = set()  # checking each distinct id once keeps large files fast
    read = 0  # characters of the interchange read so far
    while True:
        stop = text.find(terminator)
        piece = text.take(stop) if stop >= 0 else text.rest()
        last = stop < 0 or (read >= ISA_LENGTH and iea.match(piece) is not None)
        if stop >= 0:
            text.take(1)
        read += len(piece) + 1
        raw = piece.strip(layout)
        if raw:
            yield _segment(raw, element, valid_ids, counter)
        if last:
            return


def _segment(raw: str, element: str, valid_ids: set[str], counter: list[int]) -> Segment:
    elements = tuple(raw.split(element))
    segment_id = elements[0]
    if segment_id not in valid_ids:
        if not _SEGMENT_ID.match(segment_id):
            message = f"{segment_id[:10]!r} is not a segment identifier"
            raise X12Error(message, rule="segment id", segment_index=counter[0], segment_id="")
        valid_ids.add(segment_id)
    segment = Segment(counter[0], segment_id, elements)
    counter[0] += 1
    return segment


def _outside_interchange(text: str, separators: Separators, segment_index: int) -> X12Error:
    segment_id = text.split(separators.segment, 1)[0].split(separators.element, 1)[0].strip()[:3]
    message = f"{segment_id!r} follows the IEA: only another interchange (ISA) may follow"
    rule = "after IEA only an ISA"
    return X12Error(message, rule=rule, segment_index=segment_index, segment_id=segment_id)
