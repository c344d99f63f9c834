"""A three-node Apache Kafka cluster (KRaft, Maven jars) for tests that kill brokers.

Each node is broker and controller; the quorum has one voter per node. Topics default to one
replica per node and ``nodes - 1`` in-sync replicas, so one node can die without losing an
acknowledged (``acks=all``) write.
"""

from __future__ import annotations

import signal
import time
from dataclasses import dataclass, field
from types import TracebackType

from aiokafka import AIOKafkaClient, TopicPartition
from aiokafka.errors import KafkaError

from accord_common.testing import _kafka_jvm, _process
from accord_common.testing._kafka_jvm import KraftProcess
from accord_common.testing._process import InfrastructureUnavailable


@dataclass
class KafkaCluster:
    """Running nodes by node id. Use as a context manager or call :meth:`stop`."""

    nodes: dict[int, KraftProcess]
    version: str
    startup_seconds: float = 0.0
    _token: int | None = field(default=None, repr=False)

    @property
    def bootstrap(self) -> str:
        """Every node's listener (clients skip the dead ones)."""
        return ",".join(node.bootstrap for node in self.nodes.values())

    def alive(self) -> list[int]:
        return [node_id for node_id, node in self.nodes.items() if node.popen.poll() is None]

    def kill(self, node_id: int) -> None:
        """SIGKILL one node (no controlled shutdown: its leaderships end by session timeout)."""
        popen = self.nodes[node_id].popen
        popen.send_signal(signal.SIGKILL)
        popen.wait(timeout=30)

    async def leader(self, topic: str, partition: int) -> int:
        """The node id leading ``topic``/``partition`` now, per fresh cluster metadata."""
        client = AIOKafkaClient(bootstrap_servers=self.bootstrap, request_timeout_ms=5000)
        try:
            await client.bootstrap()
            client.add_topic(topic)
            metadata = await client.fetch_all_metadata()
            leader = metadata.leader_for_partition(TopicPartition(topic, partition))
            if leader is None or leader < 0:
                raise KafkaError(f"{topic}/{partition} has no leader")
            return int(leader)
        finally:
            await client.close()

    def stop(self) -> None:
        if self._token is not None:
            _process.unregister_cleanup(self._token)
            self._token = None
        for node in self.nodes.values():  # the data is thrown away: no controlled shutdown
            if node.popen.poll() is None:
                node.popen.kill()
            node.stop()

    def __enter__(self) -> KafkaCluster:
        return self

    def __exit__(
        self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def start_kafka_cluster(size: int = 3, timeout: float = 240.0) -> KafkaCluster:
    """Start ``size`` nodes and wait until every broker is registered with the quorum."""
    pom = _kafka_jvm.find_pom()
    if pom is None or not _kafka_jvm.available():
        raise InfrastructureUnavailable(
            "a Kafka cluster from Maven jars needs java, mvn and deploy/kafka/pom.xml"
        )
    began = time.monotonic()
    nodes = _kafka_jvm.start_kraft_cluster(pom, size)
    cluster = KafkaCluster({n + 1: node for n, node in enumerate(nodes)}, _kafka_jvm.kafka_version(pom))
    cluster._token = _process.register_cleanup(cluster.stop)
    try:
        _wait_for_brokers(cluster, size, began + timeout)
    except BaseException:
        cluster.stop()
        raise
    cluster.startup_seconds = time.monotonic() - began
    return cluster


def _wait_for_brokers(cluster: KafkaCluster, size: int, deadline: float) -> None:
    while not _listening(cluster) or _process.run_sync(lambda: _broker_count(cluster.bootstrap)) < size:
        dead = [n for n, node in cluster.nodes.items() if node.popen.poll() is not None]
        if dead or time.monotonic() > deadline:
            node = cluster.nodes[dead[0] if dead else 1]
            what = f"node {dead[0]} exited" if dead else f"fewer than {size} brokers registered"
            raise InfrastructureUnavailable(f"Kafka cluster: {what}\n{_process.tail(node.log_path)}")
        time.sleep(0.5)


def _listening(cluster: KafkaCluster) -> bool:
    addresses = (node.bootstrap.rpartition(":") for node in cluster.nodes.values())
    return all(_process.port_open(host, int(port)) for host, _, port in addresses)


async def _broker_count(bootstrap: str) -> int:
    client = AIOKafkaClient(bootstrap_servers=bootstrap, request_timeout_ms=5000)
    try:
        await client.bootstrap()
        return len((await client.fetch_all_metadata()).brokers())
    except (KafkaError, OSError, TimeoutError):
        return 0
    finally:
        await client.close()
