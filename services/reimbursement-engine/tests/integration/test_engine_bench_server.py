"""The engine bench's server: a server that cannot start (here: its port is taken) is reported with
its exit code and its own last words, not as a client's refused connection (a real uvicorn process)."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from reimbursement_engine.bench import measure
from reimbursement_engine.bench.workload import environment


def test_a_server_that_exits_is_reported_with_its_own_output(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)  # holds the port and never answers
        port = taken.getsockname()[1]
        output = tmp_path / "server.log"
        with pytest.raises(RuntimeError) as failed:
            measure.serve(environment(f"sqlite+aiosqlite:///{tmp_path / 'engine.db'}"), port, 1, output)
    message = str(failed.value)
    assert "has exited with" in message, message
    assert "address already in use" in message, message
