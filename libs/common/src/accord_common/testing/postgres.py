"""A PostgreSQL server for tests, chosen in this order.

1. ``ACCORD_TEST_DATABASE_URL`` if set (any ``postgresql://`` URL of a superuser-ish role);
2. a testcontainers ``PostgresContainer`` if a Docker engine answers;
3. a throwaway cluster from Debian's binaries (newest ``/usr/lib/postgresql/*/bin``): initdb into
   a temp dir (as user ``postgres`` when running as root), trust auth on 127.0.0.1, a free port,
   fsync off. The postmaster runs as our direct child (not daemonised by ``pg_ctl``) so that it
   gets a parent-death signal and can never outlive the test run; it is stopped with SIGINT
   (PostgreSQL's "fast" shutdown) and the directory is deleted.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

import asyncpg
from sqlalchemy.engine import make_url

from accord_common.testing import _process
from accord_common.testing._process import InfrastructureUnavailable

ENV_URL = "ACCORD_TEST_DATABASE_URL"
CONTAINER_IMAGE = "postgres:15-alpine"
_BIN_GLOB = "/usr/lib/postgresql/*/bin"
_INSTALL_HINT = (
    "No PostgreSQL available: set ACCORD_TEST_DATABASE_URL, start a Docker engine, or install "
    "the server binaries (Debian/Ubuntu: `apt-get install postgresql`)."
)


@dataclass
class PostgresServer:
    """A running PostgreSQL server. Use as a context manager or call :meth:`stop`."""

    admin_url: str
    """``postgresql+asyncpg://`` URL of a superuser on the maintenance database."""
    version: str
    origin: str
    startup_seconds: float = 0.0
    _stop: Callable[[], None] | None = field(default=None, repr=False)
    _token: int | None = field(default=None, repr=False)

    def describe(self) -> str:
        return f"PostgreSQL {self.version} ({self.origin})"

    def database_url(self, name: str) -> str:
        """The ``postgresql+asyncpg://`` URL of database ``name`` on this server."""
        url = make_url(self.admin_url).set(database=name)
        return url.render_as_string(hide_password=False)

    async def create_database_async(self, name: str) -> str:
        """(Re)create an empty database ``name`` (dropping any old one); returns its URL."""
        conn = await asyncpg.connect(_plain_dsn(self.admin_url))
        try:
            quoted = _quote_ident(name)
            await conn.execute(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")
            await conn.execute(f"CREATE DATABASE {quoted}")
        finally:
            await conn.close()
        return self.database_url(name)

    def create_database(self, name: str) -> str:
        """Sync variant of :meth:`create_database_async`."""
        return _process.run_sync(lambda: self.create_database_async(name))

    def stop(self) -> None:
        if self._token is not None:
            _process.unregister_cleanup(self._token)
            self._token = None
        stop, self._stop = self._stop, None
        if stop is not None:
            stop()

    def __enter__(self) -> PostgresServer:
        return self

    def __exit__(
        self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def start_postgres() -> PostgresServer:
    """Provide a PostgreSQL server (see the module docstring for the order of choice)."""
    began = time.monotonic()
    if url := os.environ.get(ENV_URL):
        server = _from_url(url, f"from ${ENV_URL}", None)
    elif _process.docker_available():
        server = _start_container()
    elif (bin_dir := find_bin_dir()) is not None:
        server = _start_local_cluster(bin_dir)
    else:
        raise InfrastructureUnavailable(_INSTALL_HINT)
    server.startup_seconds = time.monotonic() - began
    if server._stop is not None:
        server._token = _process.register_cleanup(server.stop)
    return server


def plan_postgres() -> str:
    """Which provider :func:`start_postgres` would use, without starting anything."""
    if os.environ.get(ENV_URL):
        return f"${ENV_URL}"
    if _process.docker_available():
        return f"testcontainers ({CONTAINER_IMAGE})"
    if (bin_dir := find_bin_dir()) is not None:
        return f"local cluster from {bin_dir}"
    return "none available (apt-get install postgresql)"


def find_bin_dir() -> Path | None:
    """The newest ``/usr/lib/postgresql/<major>/bin`` that has initdb and postgres."""
    candidates = [Path(p) for p in glob.glob(_BIN_GLOB)]
    usable = [p for p in candidates if (p / "initdb").exists() and (p / "postgres").exists()]
    usable.sort(key=lambda p: _major(p.parent.name))
    return usable[-1] if usable else None


def _major(name: str) -> tuple[int, ...]:
    return tuple(int(x) for x in re.findall(r"\d+", name)) or (0,)


def _from_url(url: str, origin: str, stop: Callable[[], None] | None) -> PostgresServer:
    admin = make_url(url).set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)
    version = _process.run_sync(lambda: _server_version(admin, connect_timeout=30.0))
    return PostgresServer(admin_url=admin, version=version, origin=origin, _stop=stop)


def _start_container() -> PostgresServer:
    try:
        from testcontainers.community.postgres import PostgresContainer
    except ImportError:
        from testcontainers.postgres import PostgresContainer

    container = PostgresContainer(CONTAINER_IMAGE, driver="asyncpg")
    container.start()
    try:
        url = container.get_connection_url()
        return _from_url(url, f"testcontainers {CONTAINER_IMAGE}", container.stop)
    except BaseException:
        container.stop()
        raise


def _start_local_cluster(bin_dir: Path) -> PostgresServer:
    cluster = LocalCluster(bin_dir)
    try:
        version = cluster.start()
    except BaseException:
        cluster.remove()
        raise
    origin = f"local cluster from {bin_dir}"
    return PostgresServer(admin_url=cluster.admin_url, version=version, origin=origin, _stop=cluster.remove)


class LocalCluster:
    """A throwaway cluster from Debian's binaries that can be stopped and started again on the same
    port and data directory: outage tests stop the server under load and bring it back."""

    def __init__(self, bin_dir: Path | None = None) -> None:
        found = bin_dir or find_bin_dir()
        if found is None:
            raise InfrastructureUnavailable(_INSTALL_HINT)
        self.bin_dir = found
        self.root = _process.make_temp_dir("accord-pg-")
        self.user = "postgres" if os.geteuid() == 0 else None
        self.port = _process.free_port()
        self.admin_url = f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"
        self._proc: subprocess.Popen[bytes] | None = None
        self._initialised = False

    def start(self) -> str:
        """Start (or restart) the postmaster; returns the server version once it accepts connections."""
        if not self._initialised:
            if self.user is not None:
                shutil.chown(self.root, self.user, self.user)
            _initdb(self.bin_dir, self.root / "data", self.user, self.root / "initdb.log")
            self._initialised = True
        args = [str(self.bin_dir / "postgres"), "-D", str(self.root / "data"), "-p", str(self.port)]
        for setting in _SETTINGS:
            args += ["-c", setting]
        self._proc = _process.spawn(args, log_path=self.root / "postgres.log", user=self.user)
        return _wait_ready(self._proc, self.admin_url, self.root / "postgres.log")

    def halt(self) -> None:
        """Stop the postmaster (fast shutdown: open connections are terminated); data is kept."""
        if self._proc is not None:
            _process.stop_process(self._proc, sig=signal.SIGINT, timeout=20.0)
            self._proc = None

    def remove(self) -> None:
        self.halt()
        shutil.rmtree(self.root, ignore_errors=True)

    def server(self) -> PostgresServer:
        """A PostgresServer view of this cluster (removed with the cluster, not by the view)."""
        version = _process.run_sync(lambda: _server_version(self.admin_url, connect_timeout=5.0))
        return PostgresServer(admin_url=self.admin_url, version=version, origin=f"local cluster {self.root}")


_SETTINGS = (
    "listen_addresses=127.0.0.1",
    "unix_socket_directories=",
    "fsync=off",
    "synchronous_commit=off",
    "full_page_writes=off",
    "max_connections=200",
    "log_min_messages=warning",
)


def _initdb(bin_dir: Path, data: Path, user: str | None, log_path: Path) -> None:
    args = [str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"]
    args += ["-E", "UTF8", "--locale=C", "--no-sync"]
    done = subprocess.run(args, capture_output=True, user=user, check=False)
    log_path.write_bytes(done.stdout + done.stderr)
    if done.returncode != 0:
        raise InfrastructureUnavailable(f"initdb failed ({done.returncode}):\n{_process.tail(log_path)}")


def _wait_ready(proc: subprocess.Popen[bytes], admin: str, log_path: Path) -> str:
    deadline = time.monotonic() + 60.0
    while True:
        if proc.poll() is not None:
            raise InfrastructureUnavailable(
                f"postgres exited with {proc.returncode}:\n{_process.tail(log_path)}"
            )
        try:
            return _process.run_sync(lambda: _server_version(admin, connect_timeout=2.0))
        except (OSError, asyncpg.PostgresError, TimeoutError):
            if time.monotonic() > deadline:
                raise InfrastructureUnavailable(
                    f"postgres did not accept connections in 60s:\n{_process.tail(log_path)}"
                ) from None
            time.sleep(0.1)


async def _server_version(admin_url: str, connect_timeout: float) -> str:
    conn = await asyncpg.connect(_plain_dsn(admin_url), timeout=connect_timeout)
    try:
        version = await conn.fetchval("SHOW server_version")
    finally:
        await conn.close()
    return str(version).split()[0]


def _plain_dsn(url: str) -> str:
    """A libpq-style DSN for asyncpg from a SQLAlchemy URL."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _quote_ident(name: str) -> str:
    if not name or "\x00" in name:
        raise ValueError(f"invalid database name {name!r}")
    return '"' + name.replace('"', '""') + '"'
