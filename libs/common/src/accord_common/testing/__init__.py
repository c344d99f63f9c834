"""Test and dev-stack infrastructure: a PostgreSQL server and a Kafka-protocol broker on demand.

``accord_common.testing.postgres.start_postgres()`` and ``accord_common.testing.kafka.start_kafka()``
pick the best provider available (environment variable, Docker, local binaries, tansu) and return
handles usable as context managers; everything started is also stopped at interpreter exit and
on SIGTERM/SIGHUP. ``accord_common.testing.pytest_plugin`` exposes them as session fixtures.
"""

from accord_common.testing._process import InfrastructureUnavailable, run_cleanups
from accord_common.testing.kafka import (
    KafkaBroker,
    TansuProcess,
    create_topics,
    start_kafka,
    start_tansu,
    wait_for_kafka,
)
from accord_common.testing.kafka_cluster import KafkaCluster, start_kafka_cluster
from accord_common.testing.postgres import PostgresServer, start_postgres

__all__ = [
    "InfrastructureUnavailable",
    "KafkaBroker",
    "KafkaCluster",
    "PostgresServer",
    "TansuProcess",
    "create_topics",
    "run_cleanups",
    "start_kafka",
    "start_kafka_cluster",
    "start_postgres",
    "start_tansu",
    "wait_for_kafka",
]
