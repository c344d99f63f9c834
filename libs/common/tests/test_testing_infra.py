"""accord_common.testing, pure parts (the providers really start in integration/)."""

from __future__ import annotations

from pathlib import Path

import pytest
from accord_common.testing import InfrastructureUnavailable, _kafka_jvm, _process, kafka, postgres
from accord_common.testing.kafka import plan_kafka
from accord_common.testing.postgres import plan_postgres


@pytest.mark.unit
def test_cluster_id_looks_like_kafkas() -> None:
    ids = {_kafka_jvm.new_cluster_id() for _ in range(50)}
    assert len(ids) == 50
    assert all(len(cid) == 22 and not cid.startswith("-") for cid in ids)


@pytest.mark.unit
def test_server_properties_single_node_kraft(tmp_path: Path) -> None:
    props = _kafka_jvm.server_properties(tmp_path, 9092, 9093)
    assert "controller.quorum.voters=1@127.0.0.1:9093\n" in props
    assert "offsets.topic.replication.factor=1\n" in props
    assert "group.initial.rebalance.delay.ms=0\n" in props


@pytest.mark.unit
def test_pom_is_found_and_pins_a_version() -> None:
    pom = _kafka_jvm.find_pom()
    assert pom is not None
    assert _kafka_jvm.kafka_version(pom).count(".") == 2


@pytest.mark.unit
def test_plans_name_a_provider_without_starting_one() -> None:
    registered = dict(_process._cleanups)
    assert plan_kafka()
    assert plan_postgres()
    assert _process._cleanups == registered  # nothing was started


@pytest.mark.unit
def test_cleanups_run_newest_first_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_process, "_cleanups", {})  # leave the session's servers alone
    calls: list[int] = []
    _process.register_cleanup(lambda: calls.append(1))
    _process.register_cleanup(lambda: calls.append(2))
    dropped = _process.register_cleanup(lambda: calls.append(3))
    _process.unregister_cleanup(dropped)
    _process.run_cleanups()
    _process.run_cleanups()
    assert calls == [2, 1]


@pytest.mark.unit
def test_no_postgres_anywhere_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(postgres.ENV_URL, raising=False)
    monkeypatch.setattr(_process, "docker_available", lambda timeout=2.0: False)
    monkeypatch.setattr(postgres, "find_bin_dir", lambda: None)
    with pytest.raises(InfrastructureUnavailable, match="apt-get install postgresql"):
        postgres.start_postgres()


@pytest.mark.unit
def test_forced_kafka_without_docker_or_jvm_does_not_fall_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(kafka.ENV_BOOTSTRAP, raising=False)
    monkeypatch.setenv(kafka.ENV_BROKER, "kafka")
    monkeypatch.setattr(_process, "docker_available", lambda timeout=2.0: False)
    monkeypatch.setattr(_kafka_jvm, "available", lambda: False)
    with pytest.raises(InfrastructureUnavailable, match="ACCORD_TEST_BROKER=kafka"):
        kafka.start_kafka()
