"""Reading a receiver's answer no further than the cap."""

import pytest
from notifier.domain import RESPONSE_BODY_CAP_BYTES, STORED_EXCERPT_CHARS, CappedBody


@pytest.mark.parametrize(
    ("chunks", "content", "truncated", "full"),
    [
        ([], b"", False, False),
        ([b"ok"], b"ok", False, False),
        ([b"ab", b"c"], b"abc", False, False),
        ([b"abcdef"], b"abcd", True, True),
        ([b"ab", b"cd"], b"abcd", False, True),
        ([b"ab", b"cd", b"e"], b"abcd", True, True),
    ],
)
def test_body_is_kept_up_to_the_cap(chunks: list[bytes], content: bytes, truncated: bool, full: bool) -> None:
    body = CappedBody(cap=4)
    for chunk in chunks:
        body = body.append(chunk)
    assert (body.content, body.truncated, body.is_full) == (content, truncated, full)


def test_an_adapter_stops_reading_at_the_default_cap() -> None:
    body, chunks_read = CappedBody(), 0
    for chunk in (b"x" * 8192 for _ in range(1000)):
        body, chunks_read = body.append(chunk), chunks_read + 1
        if body.is_full:
            break
    assert len(body.content) == RESPONSE_BODY_CAP_BYTES
    assert chunks_read == RESPONSE_BODY_CAP_BYTES // 8192


@pytest.mark.parametrize(
    ("body", "excerpt"),
    [
        (CappedBody(b'{"error":"bad signature"}'), '{"error":"bad signature"}'),
        (CappedBody(b"caf\xc3\xa9 \xff"), "caf\u00e9 \ufffd"),
        (CappedBody(b"line\x1b[31m"), "line\ufffd[31m"),
        (CappedBody(b"abcd", truncated=True, cap=4), "abcd\u2026"),
    ],
)
def test_the_stored_excerpt_is_printable_and_marked_when_cut(body: CappedBody, excerpt: str) -> None:
    assert body.excerpt() == excerpt


def test_the_stored_excerpt_is_short() -> None:
    excerpt = CappedBody().append(b"y" * 5000).excerpt()
    assert len(excerpt) == STORED_EXCERPT_CHARS
