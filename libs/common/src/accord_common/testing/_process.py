"""Process plumbing shared by the providers: spawning, stopping, cleanup at exit.

Every started server registers a cleanup callback here. Callbacks run (last started, first
stopped) from ``atexit`` and from SIGTERM/SIGHUP handlers, so no JVM or postgres survives a test
run, Ctrl-C included (Ctrl-C raises KeyboardInterrupt, pytest unwinds and ``atexit`` runs).
Children are started in their own session, so a terminal's Ctrl-C reaches only Python, which
stops them in order; on Linux they also get a parent-death signal should Python be SIGKILLed.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import contextlib
import ctypes
import logging
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from types import FrameType
from typing import Any, TypeVar

log = logging.getLogger("accord_common.testing")

T = TypeVar("T")
Cleanup = Callable[[], None]

_lock = threading.RLock()
_cleanups: dict[int, Cleanup] = {}
_next_id = 0
_installed = False
_previous_handlers: dict[int, Any] = {}
_PR_SET_PDEATHSIG = 1
_OWNER_FILE = "owner.pid"


class InfrastructureUnavailable(RuntimeError):
    """No provider could supply the server (the message says how to get one)."""


def register_cleanup(fn: Cleanup) -> int:
    """Register ``fn`` to run at exit or on SIGTERM/SIGHUP; returns a token for unregistering."""
    global _next_id
    with _lock:
        _install_hooks()
        _next_id += 1
        _cleanups[_next_id] = fn
        return _next_id


def unregister_cleanup(token: int) -> None:
    with _lock:
        _cleanups.pop(token, None)


def run_cleanups() -> None:
    """Run every registered cleanup, newest first. Safe to call more than once."""
    with _lock:
        pending = sorted(_cleanups.items(), reverse=True)
        _cleanups.clear()
    for _, fn in pending:
        try:
            fn()
        except Exception:  # cleanup must go on whatever one callback does
            log.exception("cleanup failed")


def _install_hooks() -> None:
    global _installed
    if _installed:
        return
    _installed = True
    atexit.register(run_cleanups)
    if threading.current_thread() is not threading.main_thread():
        return
    for signum in (signal.SIGTERM, signal.SIGHUP):
        with contextlib.suppress(ValueError, OSError):
            _previous_handlers[signum] = signal.signal(signum, _on_signal)


def _on_signal(signum: int, frame: FrameType | None) -> None:
    run_cleanups()
    previous = _previous_handlers.get(signum, signal.SIG_DFL)
    if callable(previous):
        previous(signum, frame)
        return
    if previous == signal.SIG_IGN:
        return
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


def _parent_death_signal(signum: int) -> Callable[[], None] | None:
    """A preexec_fn asking Linux to send ``signum`` to the child when this thread dies."""
    if sys.platform != "linux" or threading.current_thread() is not threading.main_thread():
        return None  # the signal fires when the *thread* that forked exits: main thread only
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None
    prctl = libc.prctl

    def preexec() -> None:
        prctl(_PR_SET_PDEATHSIG, signum, 0, 0, 0)

    return preexec


def spawn(
    args: Sequence[str],
    *,
    log_path: Path,
    user: str | None = None,
    env: dict[str, str] | None = None,
    death_signal: int = signal.SIGTERM,
) -> subprocess.Popen[bytes]:
    """Start ``args`` in a new session, output appended to ``log_path``."""
    with log_path.open("ab") as out:
        return subprocess.Popen(
            list(args),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            user=user,
            env=env,
            preexec_fn=_parent_death_signal(death_signal),
        )


def stop_process(proc: subprocess.Popen[bytes], *, sig: int = signal.SIGTERM, timeout: float = 15.0) -> None:
    """Send ``sig`` (SIGTERM by default), wait up to ``timeout`` seconds, then SIGKILL."""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        proc.send_signal(sig)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        log.warning("pid %s ignored signal %s for %.0fs: killing it", proc.pid, sig, timeout)
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        proc.wait(timeout=10)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def free_port_offset(bases: Sequence[int]) -> int:
    """An offset such that every `base + offset` is free on 127.0.0.1 now and lies below the
    kernel's ephemeral range: a port in that range, free when chosen, can be taken at any moment by
    an outgoing connection (a Kafka or PostgreSQL client) before the service binds it, which made a
    stack fail to start with "address already in use". The search starts at a random offset, so
    stacks started at the same moment do not all pick the first free one."""
    ceiling = _ephemeral_floor() - max(bases)
    offsets = list(range(1000, ceiling, 100))
    if not offsets:
        raise RuntimeError(f"no room below the ephemeral ports ({_ephemeral_floor()}) for {sorted(bases)}")
    start = random.randrange(len(offsets))
    for offset in offsets[start:] + offsets[:start]:
        if all(_bindable(base + offset) for base in bases):
            return offset
    raise RuntimeError("no free ports below the ephemeral range")


def _ephemeral_floor() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768  # Linux's default


def _bindable(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def make_temp_dir(prefix: str) -> Path:
    """A fresh temp dir tagged with our pid; first deletes ones left by dead processes."""
    for old in Path(tempfile.gettempdir()).glob(f"{prefix}*"):
        with contextlib.suppress(OSError, ValueError):
            if not _pid_alive(int((old / _OWNER_FILE).read_text())):
                shutil.rmtree(old, ignore_errors=True)
    path = Path(tempfile.mkdtemp(prefix=prefix))
    (path / _OWNER_FILE).write_text(str(os.getpid()))
    return path


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def port_open(host: str, port: int, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def tail(path: Path, lines: int = 40) -> str:
    """The last ``lines`` lines of a log file, or a note that it is missing."""
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return f"(no log at {path})"
    return "\n".join(text.splitlines()[-lines:])


def run_sync(make_coro: Callable[[], Coroutine[Any, Any, T]], timeout: float = 120.0) -> T:
    """Run a coroutine to completion on a fresh event loop in a worker thread.

    Works whether or not the calling thread already runs an event loop (sync pytest fixtures
    are called from inside pytest-asyncio's loop in some setups).
    """
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(make_coro())).result(timeout=timeout)


_docker_answer: bool | None = None


def docker_available(timeout: float = 2.0) -> bool:
    """True if a Docker engine answers a ping within ``timeout`` seconds (cached)."""
    global _docker_answer
    if _docker_answer is None:
        _docker_answer = _ping_docker(timeout)
    return _docker_answer


def _ping_docker(timeout: float) -> bool:
    if os.environ.get("ACCORD_TEST_NO_DOCKER"):
        return False
    try:
        import docker

        client = docker.from_env(timeout=int(max(1, timeout)))
        try:
            return bool(client.ping())
        finally:
            client.close()
    except Exception:  # no SDK, no socket, no daemon, bad DOCKER_HOST ...
        return False
