"""Damaged input (truncations, byte flips, deletions) parses or raises X12Error, nothing else."""

from __future__ import annotations

import contextlib
import random
from collections.abc import Callable
from pathlib import Path

from reimbursement_engine.domain.x12 import X12Error, parse_835, parse_837, validate_835

# Structure-bearing bytes make damage reach the envelope and loop logic, not only free text.
INTERESTING = b"*:~^|>\n\r0123456789.-+ AZEe\x00\xff"
MUTATIONS_PER_FILE = 150


def mutate(data: bytes, rng: random.Random) -> bytes:
    position = rng.randrange(len(data))
    kind = rng.randrange(4)
    if kind == 0:
        return data[:position]
    if kind == 1:
        return data[:position] + data[position + 1 :]
    replacement = rng.choice(INTERESTING) if kind == 2 else rng.randrange(256)
    return data[:position] + bytes([replacement]) + data[position + 1 :]


def parse_anything(data: bytes) -> None:
    """Both parsers, and the checks over whatever parses."""
    for parse in (_parse_and_validate_835, parse_837):
        with contextlib.suppress(X12Error):
            parse(data)


def _parse_and_validate_835(data: bytes) -> None:
    validate_835(parse_835(data))


def fuzz(path: Path, seed_offset: int, apply: Callable[[bytes], None]) -> None:
    original = path.read_bytes()
    rng = random.Random(f"{path.name}:{seed_offset}")
    for _ in range(MUTATIONS_PER_FILE):
        data = original
        for _ in range(rng.randint(1, 3)):
            data = mutate(data, rng) if data else data
        apply(data)


def test_damaged_835s_parse_or_raise_x12_error(shared_835: Path) -> None:
    fuzz(shared_835, 0, parse_anything)


def test_damaged_malformed_files_parse_or_raise_x12_error(shared_malformed: Path) -> None:
    fuzz(shared_malformed, 1, parse_anything)


def test_damaged_837ps_parse_or_raise_x12_error(shared_837p: Path) -> None:
    fuzz(shared_837p, 2, parse_anything)


def test_damaged_837is_parse_or_raise_x12_error(shared_837i: Path) -> None:
    fuzz(shared_837i, 3, parse_anything)


def test_every_prefix_of_an_835_parses_or_raises_x12_error(x12_examples: Path) -> None:
    data = (x12_examples / "835" / "secondary-payment.835").read_bytes()
    for end in range(len(data) + 1):
        parse_anything(data[:end])
