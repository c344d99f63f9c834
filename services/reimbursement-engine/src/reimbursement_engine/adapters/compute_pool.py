"""CPU-heavy pure work run in a pool of worker processes, off the event loop's core.

The event loop of an API process does the I/O; a `ComputePool` runs a module-level function on
plain, picklable data in another process (the second core), and the loop awaits its answer while it
serves other requests. Reference data a function reads (contract terms, a Medicare year) can weigh
megabytes and changes rarely, so it is `held`: named objects sent to a worker process once (as
tokens after that) and kept there while the API process keeps the same object. A worker that does
not hold a token (a new worker, or another worker of the pool) says so and the call is sent again
with the objects themselves. Database rows cross as field names and tuples (`Rows`), not as
SQLAlchemy rows (whose pickles carry their metadata row by row: ~60 us a row to unpickle).

One pool per process (`shared_pool`): every app built in a process (tests build many) shares it.
Processes are spawned (not forked: an API process runs threads) and started at once, so the first
upload does not wait for a worker's imports.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import threading
import uuid
from collections import OrderedDict, namedtuple
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from operator import attrgetter
from typing import Any

log = logging.getLogger(__name__)
_HELD_LIMIT = 64  # objects a worker (and the API process's token table) keeps


class Rows:
    """Rows as field names and plain tuples (picklable, cheap), only the `fields` named (else
    every column); `rows()` gives them back as named tuples, which read like SQLAlchemy rows
    (attributes, `_asdict()`)."""

    __slots__ = ("fields", "values")

    def __init__(self, rows: Sequence[Any], fields: Sequence[str] | None = None) -> None:
        if fields is None:
            self.fields: tuple[str, ...] = tuple(rows[0]._fields) if rows else ()
            self.values = [tuple(row) for row in rows]
        else:
            self.fields = tuple(fields)
            get = attrgetter(*self.fields)
            self.values = [get(row) for row in rows] if len(self.fields) > 1 else [(get(r),) for r in rows]

    def __getstate__(self) -> tuple[tuple[str, ...], list[tuple[Any, ...]]]:
        return self.fields, self.values

    def __setstate__(self, state: tuple[tuple[str, ...], list[tuple[Any, ...]]]) -> None:
        self.fields, self.values = state

    def rows(self) -> list[Any]:
        if not self.fields:
            return []
        make = _row_type(self.fields)._make
        return [make(values) for values in self.values]


_ROW_TYPES: dict[tuple[str, ...], Any] = {}


def _row_type(fields: tuple[str, ...]) -> Any:
    found = _ROW_TYPES.get(fields)
    if found is None:
        found = _ROW_TYPES[fields] = namedtuple("Row", fields, rename=True)
    return found


class _Missing:
    """A worker's answer when it does not hold some of the call's tokens."""

    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens


# in a worker process: the objects sent to it, by token (the oldest dropped past the limit)
_WORKER_HELD: OrderedDict[str, Any] = OrderedDict()


def _run_in_worker(
    fn: Callable[..., Any], tokens: dict[str, str], sent: dict[str, Any], args: tuple[Any, ...]
) -> Any:
    for token, value in sent.items():
        _WORKER_HELD[token] = value
        _WORKER_HELD.move_to_end(token)
    while len(_WORKER_HELD) > _HELD_LIMIT:
        _WORKER_HELD.popitem(last=False)
    missing = [token for token in tokens.values() if token not in _WORKER_HELD]
    if missing:
        return _Missing(missing)
    held = {name: _WORKER_HELD[token] for name, token in tokens.items()}
    return fn(*args, held=held)


def _ready() -> bool:
    return True


def _exit_with_parent() -> None:
    """A worker ends when the API process does (killed or not): a worker waits on a queue whose
    writing end it holds itself, so it would never see the end of it."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        parent.join()  # returns once the parent process has ended
        os._exit(0)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


class ComputePool:
    """`processes` worker processes; `run(fn, *args, held=...)` awaits `fn(*args, held=held)` run
    in one of them. `fn` must be a module-level function, its arguments and answer picklable."""

    def __init__(self, processes: int) -> None:
        self.processes = processes
        self.runs = 0  # calls answered
        self._tokens: OrderedDict[int, tuple[Any, str]] = OrderedDict()  # id -> (object kept, token)
        self._executor = self._new_executor()

    async def run(self, fn: Callable[..., Any], *args: Any, held: Mapping[str, Any]) -> Any:
        """`fn(*args, held=held)` in a worker. If the pool broke (a worker was killed: out of
        memory, a signal), it is replaced with a new one and this call runs here instead, so an
        upload never fails for a lost worker."""
        try:
            return await self._in_worker(fn, args, held)
        except BrokenProcessPool:
            log.warning("a compute worker died: the pool is restarted, this call runs in process")
            self._restart()
            self.runs += 1
            return fn(*args, held=dict(held))

    def _restart(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
        self._tokens.clear()
        self._executor = self._new_executor()

    def _new_executor(self) -> ProcessPoolExecutor:
        context = multiprocessing.get_context("spawn")
        executor = ProcessPoolExecutor(self.processes, mp_context=context, initializer=_exit_with_parent)
        for _ in range(self.processes):
            executor.submit(_ready)  # spawn the workers now, not on the first upload
        return executor

    async def _in_worker(self, fn: Callable[..., Any], args: tuple[Any, ...], held: Mapping[str, Any]) -> Any:
        tokens = {name: self._token(value) for name, value in held.items()}
        loop = asyncio.get_running_loop()
        answer = await loop.run_in_executor(self._executor, partial(_run_in_worker, fn, tokens, {}, args))
        if isinstance(answer, _Missing):
            by_token = {tokens[name]: held[name] for name in held}
            sent = {token: by_token[token] for token in answer.tokens}
            call = partial(_run_in_worker, fn, tokens, sent, args)
            answer = await loop.run_in_executor(self._executor, call)
        self.runs += 1
        return answer

    def _token(self, value: Any) -> str:
        key = id(value)
        found = self._tokens.get(key)
        if found is None or found[0] is not value:
            found = (value, uuid.uuid4().hex)
            self._tokens[key] = found
            while len(self._tokens) > _HELD_LIMIT:
                self._tokens.popitem(last=False)
        return found[1]

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


_SHARED: dict[int, ComputePool] = {}


def shared_pool(processes: int) -> ComputePool | None:
    """The process's pool of `processes` workers (None for 0: the work runs on the event loop)."""
    if processes <= 0:
        return None
    if processes not in _SHARED:
        _SHARED[processes] = ComputePool(processes)
    return _SHARED[processes]
