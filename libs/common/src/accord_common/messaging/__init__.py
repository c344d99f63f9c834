"""Kafka plumbing: the outbox relay, the consumer loop with inbox and dead letters."""

from accord_common.messaging.consumer import ConsumerLoop, EventHandler
from accord_common.messaging.kafka import KafkaConfig, ensure_topics
from accord_common.messaging.relay import OutboxRelay

__all__ = ["ConsumerLoop", "EventHandler", "KafkaConfig", "OutboxRelay", "ensure_topics"]
