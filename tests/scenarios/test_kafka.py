"""Topics laid out by the settings, and the money path over them (issue 16 item 6).

The four services start on PostgreSQL and Apache Kafka in development, so each creates (or checks) every
catalogue topic with 3 partitions, 1 replica and min.insync.replicas 1. A revenue-cycle analyst then
does her day's work across them: a contract paying CPT 99213 at $100.00 is activated, a $150.00 claim is
priced at $100.00, the payer's remittance pays $80.00, the engine flags a $20.00 underpayment and the
tracker opens the appeal deadline 180 days after the 2026-04-02 remittance: 2026-09-29.
"""

from __future__ import annotations

from typing import Any

import pytest
from accord_common.devstack.demo_money import underpaying_remittance
from accord_common.events import CATALOGUE
from accord_common.messaging.kafka import TopicLayout, describe_topics, layout_report
from accord_common.testing._process import run_sync
from aiokafka.admin import AIOKafkaAdminClient

from tests.scenarios.conftest import eventually
from tests.scenarios.workflows import activate_acme_professional


async def topic_layout_report(bootstrap: str) -> tuple[int, list[str]]:
    """(topics described, mismatches against development's 3 / 1 / 1) for every catalogue topic and its .dlq."""
    names = sorted({s.topic for s in CATALOGUE.values()} | {f"{s.topic}.dlq" for s in CATALOGUE.values()})
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        described = await describe_topics(admin, names)
    finally:
        await admin.close()
    return len(described), layout_report(described, TopicLayout(3, 1, 1))


@pytest.mark.timeout(900)  # the first scenario of a run also starts the broker, database and stack
def test_topics_follow_the_settings_and_carry_an_underpayment_to_its_appeal_deadline(new_tenant: Any) -> None:
    t = new_tenant("kafka")
    described, mismatches = run_sync(lambda: topic_layout_report(t.stack.kafka_bootstrap))
    assert described == 2 * len({s.topic for s in CATALOGUE.values()})  # every topic and .dlq exists
    assert mismatches == []

    contract_id = str(activate_acme_professional(t)["id"])
    line = {
        "code_system": "CPT",
        "code": "99213",
        "units": 1,
        "charge": "150.00",
        "service_date": "2026-03-14",
    }
    claim = t.post(
        "engine",
        "/v1/claims",
        {
            "patient_control_number": "KAFKA-1",
            "payer_id": "60054",
            "contract_id": contract_id,
            "place_of_service": "11",
            "lines": [line],
        },
    )
    priced = eventually(
        "the claim priced",
        lambda: [c for c in [t.get("engine", f"/v1/claims/{claim['id']}")] if c["status"] == "priced"],
    )[0]
    assert priced["expected_allowed"] == "100.00"

    t.post("engine", "/v1/remittances/json", underpaying_remittance("KAFKA-1"))
    variance = eventually(
        "the variance",
        lambda: [v for v in t.get("engine", "/v1/variances")["items"] if v["claim_id"] == claim["id"]],
    )[0]
    assert (variance["classification"], variance["variance"]) == ("underpaid", "20.00")
    appeal = eventually(
        "the appeal deadline",
        lambda: [
            o
            for o in t.get("tracker", "/v1/obligations", claim_id=claim["id"])["items"]
            if o["kind"] == "appeal"
        ],
    )[0]
    assert appeal["due_date"] == "2026-09-29"
