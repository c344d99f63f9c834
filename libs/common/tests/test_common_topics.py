"""Topic layout settings (partitions, replicas, min ISR) and the start-up comparison with the cluster."""

from __future__ import annotations

import re

import pytest
from accord_common.messaging.kafka import ExistingTopic, TopicLayout, layout_report
from accord_common.settings import ServiceSettings
from pydantic import ValidationError

POSTGRES = "postgresql+asyncpg://u:p@db/accord"


@pytest.fixture(autouse=True)
def _no_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "ENVIRONMENT",
        "KAFKA_REPLICATION_FACTOR",
        "KAFKA_MIN_INSYNC_REPLICAS",
        "KAFKA_TOPIC_PARTITIONS",
    ):
        monkeypatch.delenv(f"ACCORD_{name}", raising=False)


@pytest.mark.parametrize(
    ("environment", "replicas", "min_isr"),
    [("production", 3, 2), ("development", 1, 1), ("test", 1, 1)],
)
def test_replicas_and_min_isr_default_by_environment(environment: str, replicas: int, min_isr: int) -> None:
    settings = ServiceSettings(environment=environment, database_url=POSTGRES)
    assert (settings.kafka_topic_partitions, settings.topic_replicas, settings.topic_min_insync_replicas) == (
        3,
        replicas,
        min_isr,
    )


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACCORD_KAFKA_TOPIC_PARTITIONS", "12")
    monkeypatch.setenv("ACCORD_KAFKA_REPLICATION_FACTOR", "5")
    monkeypatch.setenv("ACCORD_KAFKA_MIN_INSYNC_REPLICAS", "3")
    settings = ServiceSettings(environment="production", database_url=POSTGRES)
    assert (settings.kafka_topic_partitions, settings.topic_replicas, settings.topic_min_insync_replicas) == (
        12,
        5,
        3,
    )


@pytest.mark.parametrize(
    ("environment", "replicas", "min_isr", "named"),
    [
        ("development", 1, 2, "must not exceed KAFKA_REPLICATION_FACTOR"),
        ("production", 3, 4, "must not exceed KAFKA_REPLICATION_FACTOR"),
        ("production", None, 4, "(4) must not exceed KAFKA_REPLICATION_FACTOR (3)"),
        ("production", 1, 1, "KAFKA_ALLOW_UNREPLICATED_TOPICS"),
        ("production", 0, None, "kafka_replication_factor"),
        ("development", 3, 0, "kafka_min_insync_replicas"),
    ],
)
def test_unsafe_layouts_are_refused_naming_the_setting(
    environment: str, replicas: int | None, min_isr: int | None, named: str
) -> None:
    with pytest.raises(ValidationError, match=re.escape(named)):
        ServiceSettings(
            environment=environment,
            database_url=POSTGRES,
            kafka_replication_factor=replicas,
            kafka_min_insync_replicas=min_isr,
        )


def test_production_with_one_replica_allowed_defaults_to_one_in_sync_replica() -> None:
    settings = ServiceSettings(
        environment="production",
        database_url=POSTGRES,
        kafka_replication_factor=1,
        kafka_allow_unreplicated_topics=True,
    )
    assert (settings.topic_replicas, settings.topic_min_insync_replicas) == (1, 1)


def test_a_single_broker_production_is_allowed_only_explicitly() -> None:
    settings = ServiceSettings(
        environment="production",
        database_url=POSTGRES,
        kafka_replication_factor=1,
        kafka_min_insync_replicas=1,
        kafka_allow_unreplicated_topics=True,
    )
    assert (settings.topic_replicas, settings.topic_min_insync_replicas) == (1, 1)


def test_a_new_topic_carries_partitions_replicas_and_min_isr() -> None:
    topic = TopicLayout(6, 3, 2).new_topic("claim.priced")
    assert (topic.name, topic.num_partitions, topic.replication_factor) == ("claim.priced", 6, 3)
    assert topic.topic_configs == {"min.insync.replicas": "2"}


def test_the_report_names_each_mismatching_topic_and_what_differs() -> None:
    wanted = TopicLayout(3, 3, 2)
    found = [
        ExistingTopic("contract.activated", 3, 3, 2),
        ExistingTopic("claim.priced", 3, 1, 1),
        ExistingTopic("claim.priced.dlq", 6, 3, 2),
        ExistingTopic("obligation.created", 3, 3, None),
    ]
    assert layout_report(found, wanted) == [
        "claim.priced: replication factor is 1, expected 3; min.insync.replicas is 1, expected 2",
        "claim.priced.dlq: partitions is 6, expected 3",
        "obligation.created: min.insync.replicas is unknown, expected 2",
    ]


def test_a_broker_that_does_not_report_min_isr_passes_only_when_one_is_wanted() -> None:
    tansu_topic = ExistingTopic("claim.priced", 3, 1, None)
    assert layout_report([tansu_topic], TopicLayout(3, 1, 1)) == []
    assert layout_report([tansu_topic], TopicLayout(3, 1, 2)) == [
        "claim.priced: min.insync.replicas is unknown, expected 2"
    ]
