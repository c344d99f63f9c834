"""A message its handler cannot apply: sent to `<topic>.dlq`, then recorded in `dead_letters`."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaProducer, ConsumerRecord
from sqlalchemy import insert

from accord_common.events import CloudEvent
from accord_common.messaging.metrics import DEAD_LETTERS
from accord_common.outages import InfrastructureUnavailable
from accord_common.uow import UnitOfWork

log = logging.getLogger("accord_common.messaging.consumer")  # the consumer's log, where it always was


@dataclass(frozen=True)
class DeadLetter:
    consumer: str
    record: ConsumerRecord[Any, Any]
    event: CloudEvent | None  # None: the record is not a CloudEvent
    error: str
    attempts: int

    async def send(self, producer: AIOKafkaProducer, uow_factory: Callable[[], UnitOfWork]) -> None:
        """Send to `<topic>.dlq`, then record the dead letter durably; only then may the offset move.

        If either step fails the record stays unprocessed (InfrastructureUnavailable) and is handled
        again after the outage: a second copy on the .dlq topic is possible, a lost event is not."""
        record, event_id = self.record, self.event.id if self.event else None
        headers = [
            *(record.headers or ()),
            ("dlq_error", self.error[:1000].encode()),
            ("dlq_consumer", self.consumer.encode()),
            ("dlq_source_topic", record.topic.encode()),
        ]
        try:
            await producer.send_and_wait(
                f"{record.topic}.dlq", value=record.value, key=record.key, headers=headers
            )
            async with uow_factory() as uow:
                await uow.session.execute(
                    insert(uow.metadata.tables["dead_letters"]).values(
                        event_id=event_id,
                        topic=record.topic,
                        consumer=self.consumer,
                        payload=record.value,
                        error=self.error[:4000],
                        attempts=self.attempts,
                        failed_at=datetime.now(UTC),
                        message_key=record.key.decode() if record.key else None,
                    )
                )
                await uow.commit()
        except Exception as exc:
            raise InfrastructureUnavailable("the dead letter could not be recorded") from exc
        DEAD_LETTERS.labels(self.consumer, record.topic).inc()
        log.error("event dead-lettered", extra={"topic": record.topic, "event_id": event_id})
