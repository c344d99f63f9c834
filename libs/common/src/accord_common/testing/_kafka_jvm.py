"""Apache Kafka in KRaft mode, run from Maven Central jars (no Docker, no Kafka download).

The classpath is resolved once with ``deploy/kafka/pom.xml`` (``mvn -B -q
dependency:build-classpath``) and cached in ``~/.cache/accord/kafka-<version>/cp.txt``; the jars
stay in the user's Maven repository. Each start formats a fresh log dir in a temp directory.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import shutil
import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from accord_common.testing import _process
from accord_common.testing._process import InfrastructureUnavailable

ENV_POM = "ACCORD_KAFKA_POM"
_POM_RELATIVE = Path("deploy/kafka/pom.xml")
# C1 only: a broker started for tests or a bench lives minutes, and C2 spends more CPU compiling than
# its code saves there: on the 835 bench its compiler threads took a third of the broker's CPU, which
# the services sharing the two cores did without (docs/benchmarks.md). A broker that runs for days
# (deploy/) keeps the JVM's default.
_JVM_OPTS = ("-XX:+UseSerialGC", "-Djava.awt.headless=true", "-XX:TieredStopAtLevel=1")
_JVM_HEAP = ("-Xms256m", "-Xmx768m")
# three JVMs on two shared cores: small heaps
_CLUSTER_HEAP = ("-Xms128m", "-Xmx320m", "-XX:ActiveProcessorCount=1")


@dataclass
class KraftProcess:
    popen: subprocess.Popen[bytes]
    bootstrap: str
    root: Path
    log_path: Path

    def stop(self) -> None:
        """SIGTERM (Kafka's controlled shutdown), SIGKILL after 20s, then delete the log dir."""
        try:
            _process.stop_process(self.popen, timeout=20.0)
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def find_pom() -> Path | None:
    """``$ACCORD_KAFKA_POM``, else ``deploy/kafka/pom.xml`` above this file or the cwd."""
    if env := os.environ.get(ENV_POM):
        return Path(env) if Path(env).is_file() else None
    for base in (Path(__file__).resolve(), Path.cwd().resolve()):
        for parent in base.parents if base.is_file() else (base, *base.parents):
            if (parent / _POM_RELATIVE).is_file():
                return parent / _POM_RELATIVE
    return None


def available() -> bool:
    """True if ``java`` and ``mvn`` are on PATH and the pom can be found."""
    return bool(shutil.which("java") and shutil.which("mvn") and find_pom())


def kafka_version(pom: Path) -> str:
    found = re.search(r"<kafka\.version>\s*([^<\s]+)\s*</kafka\.version>", pom.read_text())
    if found is None:
        raise InfrastructureUnavailable(f"{pom} has no <kafka.version> property")
    return found.group(1)


def cache_dir(version: str) -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "accord" / f"kafka-{version}"


def resolve_classpath(pom: Path) -> str:
    """The broker's classpath, from the cache when the pom is unchanged and the jars exist."""
    cache = cache_dir(kafka_version(pom))
    cp_file, stamp_file = cache / "cp.txt", cache / "pom.sha256"
    digest = hashlib.sha256(pom.read_bytes()).hexdigest()
    if cp_file.is_file() and stamp_file.is_file() and stamp_file.read_text() == digest:
        classpath = cp_file.read_text().strip()
        if classpath and all(Path(jar).exists() for jar in classpath.split(os.pathsep)):
            return classpath
    cache.mkdir(parents=True, exist_ok=True)
    partial = cache / f"cp.{os.getpid()}.txt"
    args = ["mvn", "-B", "-q", "-f", str(pom), "dependency:build-classpath"]
    args.append(f"-Dmdep.outputFile={partial}")
    done = subprocess.run(args, capture_output=True, text=True, timeout=900, check=False)
    if done.returncode != 0 or not partial.is_file():
        raise InfrastructureUnavailable(
            f"mvn could not resolve Kafka's classpath:\n{done.stdout[-3000:]}{done.stderr[-3000:]}"
        )
    os.replace(partial, cp_file)
    stamp_file.write_text(digest)
    return cp_file.read_text().strip()


def new_cluster_id() -> str:
    """A Kafka cluster id (base64url UUID, like ``StorageTool random-uuid``) without a JVM."""
    while True:
        cid = base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode()
        if not cid.startswith("-"):
            return cid


def server_properties(
    root: Path,
    port: int,
    controller_port: int,
    *,
    node_id: int = 1,
    voters: str | None = None,
    replicas: int = 1,
) -> str:
    """One KRaft node (broker and controller); ``voters`` and ``replicas`` > 1 for a cluster."""
    min_isr = str(max(1, replicas - 1))
    props = {
        "process.roles": "broker,controller",
        "node.id": str(node_id),
        "controller.quorum.voters": voters or f"{node_id}@127.0.0.1:{controller_port}",
        "listeners": f"PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller_port}",
        "advertised.listeners": f"PLAINTEXT://127.0.0.1:{port}",
        "controller.listener.names": "CONTROLLER",
        "inter.broker.listener.name": "PLAINTEXT",
        "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "log.dirs": str(root / "data"),
        "num.partitions": "3",
        "auto.create.topics.enable": "true",
        "default.replication.factor": str(replicas),
        "offsets.topic.replication.factor": str(replicas),
        "offsets.topic.num.partitions": "5",
        "transaction.state.log.replication.factor": str(replicas),
        "transaction.state.log.min.isr": min_isr,
        "transaction.state.log.num.partitions": "5",
        "share.coordinator.state.topic.replication.factor": str(replicas),
        "share.coordinator.state.topic.min.isr": min_isr,
        "group.initial.rebalance.delay.ms": "0",
    }
    return "".join(f"{key}={value}\n" for key, value in props.items())


def start_kraft(pom: Path) -> KraftProcess:
    """Format a fresh single-node KRaft cluster in a temp dir and start it (not yet ready)."""
    port, controller_port = _two_ports()
    return _start_node(pom, new_cluster_id(), port, controller_port, heap=_JVM_HEAP)


def start_kraft_cluster(pom: Path, size: int = 3) -> list[KraftProcess]:
    """``size`` KRaft nodes, each broker and controller, one quorum of ``size`` voters (not yet ready).

    Topics default to ``size`` replicas and ``size - 1`` in-sync replicas; heaps are small so that a
    three-node cluster fits on a two-core machine next to the services under test.
    """
    ports = _free_ports(2 * size)
    voters = ",".join(f"{n + 1}@127.0.0.1:{ports[2 * n + 1]}" for n in range(size))
    cluster_id, nodes = new_cluster_id(), []
    try:
        for n in range(size):
            port, controller_port = ports[2 * n], ports[2 * n + 1]
            props = {"node_id": n + 1, "voters": voters, "replicas": size}
            nodes.append(_start_node(pom, cluster_id, port, controller_port, heap=_CLUSTER_HEAP, **props))
    except BaseException:
        for node in nodes:
            node.stop()
        raise
    return nodes


def _start_node(
    pom: Path, cluster_id: str, port: int, controller_port: int, *, heap: tuple[str, ...], **props: Any
) -> KraftProcess:
    classpath = resolve_classpath(pom)
    root = _process.make_temp_dir("accord-kafka-")
    try:
        config = root / "server.properties"
        config.write_text(server_properties(root, port, controller_port, **props))
        java = [shutil.which("java") or "java", *heap, *_jvm_opts(pom, root), "-cp", classpath]
        fmt = [*java, "kafka.tools.StorageTool", "format", "-t", cluster_id]
        done = subprocess.run([*fmt, "-c", str(config)], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise InfrastructureUnavailable(f"kafka storage format failed:\n{done.stdout}{done.stderr}")
        log_path = root / "server.out"
        popen = _process.spawn([*java, "kafka.Kafka", str(config)], log_path=log_path)
        return KraftProcess(popen, f"127.0.0.1:{port}", root, log_path)
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise


def _jvm_opts(pom: Path, root: Path) -> list[str]:
    opts = [*_JVM_OPTS, f"-Dkafka.logs.dir={root}"]
    log4j = pom.parent / "log4j2.properties"
    if log4j.is_file():
        opts.append(f"-Dlog4j2.configurationFile={log4j}")
    return opts


def _two_ports() -> tuple[int, int]:
    first, second = _free_ports(2)
    return first, second


def _free_ports(count: int) -> list[int]:
    ports: list[int] = []
    while len(ports) < count:
        port = _process.free_port()
        if port not in ports:
            ports.append(port)
    return ports
