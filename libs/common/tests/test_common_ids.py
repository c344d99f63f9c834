"""Identifiers are RFC 9562 version 7 UUIDs: canonical text, time-ordered, never repeated, and a
forked worker never hands out its parent's pooled random bits."""

from __future__ import annotations

import os
import time
import uuid

from accord_common import ids


def test_ids_are_canonical_version_7_uuids() -> None:
    for value in (ids.new_id() for _ in range(1000)):
        parsed = uuid.UUID(value)
        assert str(parsed) == value
        assert parsed.version == 7
        assert parsed.variant == uuid.RFC_4122


def test_ids_carry_the_current_unix_millisecond() -> None:
    before = time.time_ns() // 1_000_000
    value = ids.new_id()
    after = time.time_ns() // 1_000_000
    assert before <= uuid.UUID(value).int >> 80 <= after


def test_ids_made_in_later_milliseconds_sort_after_earlier_ones() -> None:
    first = ids.new_id()
    time.sleep(0.002)
    assert ids.new_id() > first


def test_ids_do_not_repeat_across_many_pool_refills() -> None:
    values = [ids.new_id() for _ in range(20 * ids.POOL_SIZE)]
    assert len(set(values)) == len(values)


def _random_bits(value: str) -> int:
    """rand_a (12 bits) and rand_b (62 bits) of a version 7 UUID, as one 74-bit number."""
    number = uuid.UUID(value).int
    return ((number >> 64) & 0xFFF) << 62 | (number & ((1 << 62) - 1))


def test_random_bits_come_from_the_pool() -> None:
    if not ids._pool:
        ids._refill()
    expected = ids._pool[-1]
    assert _random_bits(ids.new_id()) == expected


def test_a_forked_child_does_not_reuse_the_parents_pool() -> None:
    if not ids._pool:
        ids._refill()
    pooled = set(ids._pool)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: report the random bits of its next ids, then exit at once
        os.close(read)
        drawn = [_random_bits(ids.new_id()) for _ in range(50)]
        os.write(write, ",".join(map(str, drawn)).encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        child_bits = {int(v) for v in pipe.read().split(",")}
    os.waitpid(pid, 0)
    assert len(child_bits) == 50
    assert not child_bits & pooled
