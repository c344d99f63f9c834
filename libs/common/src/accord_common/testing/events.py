"""Events the infrastructure tests send: the smallest valid contract version, keyed by its contract;
and a fetched record as a test scripts it (what the consumer reads of aiokafka's ConsumerRecord)."""

from __future__ import annotations

from dataclasses import dataclass

from accord_common.events import CloudEvent, new_event


@dataclass
class ScriptedRecord:
    """A record as if fetched: what apply_run and the consumer loop read of a ConsumerRecord."""

    value: bytes
    offset: int
    headers: tuple[tuple[str, bytes], ...] = ()
    key: bytes | None = None
    topic: str = "contract.amended"
    partition: int = 0


def contract_amended(contract_id: str, version: int) -> CloudEvent:
    """contract.amended for `contract_id` at `version` (organisation org-a, in force from 2026-01-01)."""
    return new_event(
        "contract.amended",
        source="test",
        subject=contract_id,
        data={
            "contract_id": contract_id,
            "organization_id": "org-a",
            "payer_id": "p",
            "status": "active",
            "version": version,
            "effective_from": "2026-01-01",
            "terms": {"effective_date": "2026-01-01"},
        },
    )
