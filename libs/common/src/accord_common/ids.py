"""Identifiers: RFC 9562 version 7 UUIDs as text (48-bit Unix milliseconds, then 74 random bits).

Time-ordered ids keep inserts at the right edge of every primary-key and unique index (claims,
claim lines, outbox rows arrive a thousand at a time; random version 4 ids scatter them over the
whole B-tree). The random bits come from a pool refilled with one `os.urandom` call per 256 ids
(`uuid.uuid4()` makes one call per id); the pool is emptied in a forked child (uvicorn workers
fork), so no two processes ever hand out the same bits.
"""

from __future__ import annotations

import os
import threading
import time

POOL_SIZE = 256
_RAND_B_BITS = 62
_RAND_B_MASK = (1 << _RAND_B_BITS) - 1
_pool: list[int] = []
_lock = threading.Lock()


def _refill() -> None:
    raw = os.urandom(10 * POOL_SIZE)
    _pool.extend(int.from_bytes(raw[i : i + 10], "big") >> 6 for i in range(0, len(raw), 10))


def new_id() -> str:
    """One version 7 UUID in its canonical 36-character form."""
    with _lock:
        if not _pool:
            _refill()
        rand = _pool.pop()  # 74 random bits: 12 for rand_a, 62 for rand_b
    millis = time.time_ns() // 1_000_000
    value = (
        (millis & 0xFFFF_FFFF_FFFF) << 80
        | 0x7 << 76
        | (rand >> _RAND_B_BITS) << 64
        | 0b10 << 62
        | (rand & _RAND_B_MASK)
    )
    h = f"{value:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _forget_pool() -> None:
    _pool.clear()


os.register_at_fork(after_in_child=_forget_pool)
