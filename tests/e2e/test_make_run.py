"""`make run`'s stack (tansu + four services on SQLite + SMTP sink) comes up and Ctrl-C stops it all."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from accord_common.devstack.stack import SERVICES
from accord_common.testing import _process


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def test_the_embedded_stack_starts_and_ctrl_c_stops_everything(tmp_path: Path) -> None:
    last = max(s.port for s in SERVICES)  # the broker and the mail sink take the next two ports
    offset = _process.free_port_offset([*(s.port for s in SERVICES), last + 1, last + 2])
    kafka_port, smtp_port = last + 1 + offset, last + 2 + offset
    ports = [s.port + offset for s in SERVICES] + [kafka_port, smtp_port]
    stack = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "accord_common.devstack",
            "run",
            "--data-dir",
            str(tmp_path),
            "--port-offset",
            str(offset),
            "--kafka-port",
            str(kafka_port),
            "--smtp-port",
            str(smtp_port),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        assert stack.stdout is not None
        printed = []
        for line in stack.stdout:
            printed.append(line)
            if "Ctrl-C stops everything" in line:
                break
        text = "".join(printed)
        for spec in SERVICES:
            assert f"http://127.0.0.1:{spec.port + offset}" in text, text
            ready = httpx.get(f"http://127.0.0.1:{spec.port + offset}/readyz", timeout=5)
            needs = (
                {"database", "broker"} if spec.owns_data else {"registry", "engine", "tracker", "notifier"}
            )
            assert ready.json()["checks"] == dict.fromkeys(needs, "ok")
        assert f"127.0.0.1:{kafka_port}" in text
        assert (tmp_path / "contract-registry.db").exists()

        stack.send_signal(signal.SIGINT)  # what Ctrl-C delivers
        assert stack.wait(timeout=60) == 0
        deadline = time.monotonic() + 10
        while any(_listening(p) for p in ports) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert [p for p in ports if _listening(p)] == [], "something it started still listens"
    finally:
        if stack.poll() is None:
            stack.kill()
