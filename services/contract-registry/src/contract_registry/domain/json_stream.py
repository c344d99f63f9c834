"""A JSON file read as a stream of members and array items, with ijson (numbers as Decimal, never float).

ijson ships no type stubs: this module is the one place that touches it, and it types what it hands
out. Nothing here holds more than the members asked for and one array item at a time. The file is
read from its start once per pass, so the source must be able to seek (a spooled upload, a file on
disk); anything else is read into memory first.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from typing import IO, Protocol, cast

import ijson
from ijson.common import ObjectBuilder

Event = tuple[str, object]
_BOM = b"\xef\xbb\xbf"
_OPENING = frozenset({"start_map", "start_array"})
_CLOSING = frozenset({"end_map", "end_array"})


class _Builder(Protocol):
    """ijson's ObjectBuilder: builds a value from the events fed to it."""

    value: object

    def event(self, event: str, value: object) -> None: ...


class Container(Enum):
    """The value of a member that was read past, not built."""

    OBJECT = "start_map"
    ARRAY = "start_array"


class MalformedJson(Exception):
    """Not valid JSON: what the parser found wrong, where, and the text near it."""

    def __init__(self, reason: str, where: str, near: str = "", ends_after: int | None = None) -> None:
        self.reason, self.where, self.near, self.ends_after = reason, where, near, ends_after
        super().__init__(str(self))

    def __str__(self) -> str:
        reason = self.reason.rstrip(".")
        if self.ends_after is not None:
            return f"{reason}: the file ends after {self.ends_after:,} bytes, {self.where}"
        return f"{reason}, {self.where}" + (f", near {self.near!r}" if self.near else "")


@dataclass(slots=True)
class _Place:
    """Where the parser is, in words: the top-level member and the item of it being read."""

    top: str | None = None
    member: str | None = None
    item: int = 0
    closed: bool = False

    def __str__(self) -> str:
        if self.closed:
            return "after the top-level value"
        if self.member is not None:
            return f"in {self.member} item {self.item}" if self.item else f"in {self.member}"
        return f"in the top-level {self.top}" if self.top else "at the start of the file"


class _Reader:
    """Hands the file to the parser, counting the bytes read and noticing the end."""

    def __init__(self, stream: IO[bytes], position: int) -> None:
        self._stream = stream
        self.position = position
        self.at_end = False

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size)
        self.position += len(data)
        self.at_end = self.at_end or (size != 0 and not data)
        return data


class JsonFile:
    """A JSON document in UTF-8 (a byte order mark is skipped), read in passes from its start."""

    def __init__(self, source: IO[str] | IO[bytes] | str | bytes) -> None:
        self._stream = _rewindable(source)
        self._start = self._stream.tell()
        if self._stream.read(len(_BOM)) == _BOM:
            self._start += len(_BOM)

    def first_character(self) -> str:
        """The first character that is not white space ("" for an empty file)."""
        self._stream.seek(self._start)
        while chunk := self._stream.read(4096):
            if significant := chunk.lstrip():
                return significant[:1].decode("ascii", errors="replace")
        return ""

    def members(self, keep: frozenset[str]) -> Iterator[tuple[str, object]]:
        """(name, value) of each top-level member, reading the whole file (a syntax error anywhere
        raises MalformedJson). Scalars and the members named in `keep` are built; other objects and
        arrays are read past and given as a Container. A top-level value that is not an object has
        no members."""
        reader, place = self._rewind(), _Place()
        try:
            events = cast(Iterator[Event], ijson.basic_parse(reader, use_float=False))
            yield from _members(events, keep, place)
            for _ in events:  # read to the end: trailing text is a syntax error too
                pass
        except ijson.JSONError as error:
            raise _malformed(error, place, reader) from None

    def array_items(self, member: str) -> Iterator[object]:
        """The items of the top-level array `member`, built one at a time."""
        reader, place = self._rewind(), _Place(top="object", member=member, item=1)
        try:
            for item in cast(Iterator[object], ijson.items(reader, f"{member}.item", use_float=False)):
                yield item
                place.item += 1  # an error from here on is in the next item
        except ijson.JSONError as error:
            raise _malformed(error, place, reader) from None

    def _rewind(self) -> _Reader:
        self._stream.seek(self._start)
        return _Reader(self._stream, self._start)


def _rewindable(source: IO[str] | IO[bytes] | str | bytes) -> IO[bytes]:
    if isinstance(source, str):
        return io.BytesIO(source.encode("utf-8"))
    if isinstance(source, bytes):
        return io.BytesIO(source)
    if isinstance(source.read(0), str):
        return io.BytesIO(cast(IO[str], source).read().encode("utf-8"))
    binary = cast(IO[bytes], source)
    return binary if binary.seekable() else io.BytesIO(binary.read())


def _members(events: Iterator[Event], keep: frozenset[str], place: _Place) -> Iterator[tuple[str, object]]:
    first, _ = next(events, ("", None))
    if first in _OPENING:
        place.top = "object" if first == "start_map" else "array"
    if first != "start_map":
        if first == "start_array":
            _read_container(events, first, None, place)
        place.closed = True
        return
    for event, name in events:
        if event == "end_map":
            place.closed = True
            return
        place.member, place.item = str(name), 0
        yield place.member, _member_value(events, place.member in keep, place)


def _member_value(events: Iterator[Event], build: bool, place: _Place) -> object:
    event, value = next(events)
    if event not in _OPENING:
        return value
    if not build:
        _read_container(events, event, None, place)
        return Container(event)
    builder = cast(_Builder, ObjectBuilder())
    builder.event(event, value)
    _read_container(events, event, builder, place)
    return builder.value


def _read_container(events: Iterator[Event], opened: str, builder: _Builder | None, place: _Place) -> None:
    """Read to the end of the container `opened` started, feeding `builder` if there is one."""
    counts_items = opened == "start_array"
    depth = 1
    for event, value in events:
        if builder is not None:
            builder.event(event, value)
        if event in _CLOSING:
            depth -= 1
            if depth == 0:
                return
            continue
        if counts_items and depth == 1:
            place.item += 1
        if event in _OPENING:
            depth += 1


def _malformed(error: Exception, place: _Place, reader: _Reader) -> MalformedJson:
    message = error.args[0] if error.args else str(error)
    if isinstance(message, bytes):
        message = message.decode("utf-8", errors="replace")
    lines = str(message).splitlines() or [type(error).__name__]
    # yajl's message: the reason, then the text around the error, then an arrow under it
    near = lines[1].strip() if len(lines) > 2 and "right here" in lines[2] else ""
    ends_after = reader.position if reader.at_end else None
    return MalformedJson(lines[0].strip(), str(place), near, ends_after)
