"""The relay's partitioner picks the partition Kafka's default partitioner picks."""

from __future__ import annotations

import random
import uuid

import pytest
from accord_common.messaging.partitions import murmur2, partition_of
from aiokafka.partitioner import DefaultPartitioner
from aiokafka.partitioner import murmur2 as aiokafka_murmur2

# Java's org.apache.kafka.clients.producer.internals.DefaultPartitioner over 1,000 partitions (the
# values kafka-python and aiokafka test their partitioner against)
JAVA = [(b"", 681), (b"a", 524), (b"ab", 434), (b"abc", 107), (b"123456789", 566), (b"\x00 ", 742)]


@pytest.mark.parametrize(("key", "partition"), JAVA)
def test_a_key_goes_where_javas_producer_sends_it(key: bytes, partition: int) -> None:
    assert partition_of(key, 1000) == partition


def test_the_hash_is_aiokafkas_for_every_length_and_byte() -> None:
    rng = random.Random(20261203)
    keys = [bytes(rng.randrange(256) for _ in range(n % 67)) for n in range(5000)]
    keys += [str(uuid.UUID(int=rng.getrandbits(128))).encode() for _ in range(2000)]
    keys += [b"\xff" * n for n in range(9)]
    for key in keys:
        assert murmur2(key) == aiokafka_murmur2(key), key


def test_the_partition_is_aiokafkas_default_partitioners() -> None:
    rng = random.Random(7)
    chosen = DefaultPartitioner()
    for count in (1, 2, 3, 6, 12):
        partitions = list(range(count))
        for _ in range(500):
            key = f"claim-{rng.getrandbits(64)}".encode()
            assert partition_of(key, count) == chosen(key, partitions, partitions)
