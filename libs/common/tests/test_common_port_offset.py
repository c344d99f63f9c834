"""Test stacks bind base + offset ports: free ones, and never in the kernel's ephemeral range."""

from __future__ import annotations

import socket

import pytest
from accord_common.testing import _process

BASES = [8101, 8102, 8103, 8104, 8105]


def test_the_offset_puts_every_port_below_the_ephemeral_range_and_free() -> None:
    floor = _process._ephemeral_floor()
    for _ in range(20):
        offset = _process.free_port_offset(BASES)
        assert all(1000 + 8101 <= base + offset < floor for base in BASES)
        assert all(_process._bindable(base + offset) for base in BASES)


def test_a_port_in_use_is_passed_over(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        monkeypatch.setattr(_process, "_ephemeral_floor", lambda: 65_535)  # the taken port is in range
        monkeypatch.setattr(_process.random, "randrange", lambda n: 0)  # the search starts at 1,000
        assert _process.free_port_offset([port - 1000]) == 1100  # 1,000 would land on the taken port


def test_no_room_below_the_ephemeral_range_is_said(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_process, "_ephemeral_floor", lambda: 9000)
    with pytest.raises(RuntimeError, match="no room below the ephemeral ports"):
        _process.free_port_offset(BASES)
