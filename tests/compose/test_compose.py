"""docker-compose.yml cannot run here (no Docker engine); check what can be checked without one."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from console.config import ConsoleSettings
from contract_registry.config import RegistrySettings
from cryptography.fernet import Fernet
from notifier.config import NotifierSettings
from obligation_tracker.config import TrackerSettings
from pydantic_settings import BaseSettings
from reimbursement_engine.config import EngineSettings

ROOT = Path(__file__).resolve().parents[2]
SETTINGS: dict[str, type[BaseSettings]] = {
    "contract-registry": RegistrySettings,
    "reimbursement-engine": EngineSettings,
    "obligation-tracker": TrackerSettings,
    "notifier": NotifierSettings,
}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())  # type: ignore[no-any-return]


def test_infrastructure_is_kafka_kraft_and_postgres(compose: dict[str, Any]) -> None:
    kafka = compose["services"]["kafka"]["environment"]
    assert kafka["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert "postgres" in compose["services"]
    init = (ROOT / "deploy/postgres/init-databases.sql").read_text()
    for name in SETTINGS:
        assert f"CREATE DATABASE {name.replace('-', '_')};" in init


@pytest.mark.parametrize("service", sorted(SETTINGS))
def test_every_variable_exists_in_the_service_settings(compose: dict[str, Any], service: str) -> None:
    spec = compose["services"][service]
    settings = SETTINGS[service]
    prefix = str(settings.model_config.get("env_prefix", ""))
    fields = {name.upper() for name in settings.model_fields}
    for variable in spec["environment"]:
        assert variable.startswith(prefix), f"{service}: {variable} lacks the prefix {prefix}"
        assert variable.removeprefix(prefix) in fields, f"{service}: {variable} is not a setting"


@pytest.mark.parametrize("service", sorted(SETTINGS))
def test_every_service_has_an_image_healthcheck_and_database(compose: dict[str, Any], service: str) -> None:
    spec = compose["services"][service]
    assert spec["image"].startswith("accord/")
    assert spec["build"]["args"]["SERVICE"] == service
    assert (ROOT / spec["build"]["dockerfile"]).exists()
    prefix = str(SETTINGS[service].model_config.get("env_prefix", ""))
    env = spec["environment"]
    assert env[f"{prefix}DATABASE_URL"].startswith("postgresql+asyncpg://")
    assert env[f"{prefix}DATABASE_URL"].endswith("/" + service.replace("-", "_"))
    assert env[f"{prefix}KAFKA_BOOTSTRAP"] == "kafka:9092"
    assert set(spec["depends_on"]) == {"kafka", "postgres"}
    # the production settings validator accepts what compose sets (defaults interpolated as compose does)
    values = {k.removeprefix(prefix).lower(): _interpolate(v) for k, v in env.items()}
    settings = SETTINGS[service](**values)
    assert getattr(settings, "environment") == "production"


@pytest.mark.parametrize("service", sorted(SETTINGS))
def test_one_broker_means_one_replica_set_explicitly(compose: dict[str, Any], service: str) -> None:
    """Compose runs a single broker: the services must not expect 3 replicas (production's default)."""
    assert compose["services"]["kafka"]["environment"]["KAFKA_CONTROLLER_QUORUM_VOTERS"].count("@") == 1
    prefix = str(SETTINGS[service].model_config.get("env_prefix", ""))
    env = compose["services"][service]["environment"]
    assert env[f"{prefix}KAFKA_REPLICATION_FACTOR"] == env[f"{prefix}KAFKA_MIN_INSYNC_REPLICAS"] == "1"
    assert env[f"{prefix}KAFKA_ALLOW_UNREPLICATED_TOPICS"] == "true"
    values = {k.removeprefix(prefix).lower(): _interpolate(v) for k, v in env.items()}
    settings = SETTINGS[service](**values)
    assert (getattr(settings, "topic_replicas"), getattr(settings, "topic_min_insync_replicas")) == (1, 1)


# What an operator must set (compose's ${NAME:?message} form), with a value the test stands in with.
REQUIRED = {
    "ACCORD_NOTIFIER_SECRET_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    "ACCORD_CONSOLE_PUBLIC_URL": "https://accord.clinic.example",
    "ACCORD_CONSOLE_SESSION_SECRET": Fernet.generate_key().decode(),
}


def _interpolate(value: str) -> str:
    value = re.sub(r"\$\{([A-Z_]+):\?[^}]*\}", lambda m: REQUIRED[m.group(1)], value)
    return re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", lambda m: m.group(1), value)


def test_the_console_reads_the_services_over_http_and_refuses_an_insecure_production(
    compose: dict[str, Any],
) -> None:
    spec = compose["services"]["console"]
    assert spec["build"]["args"]["SERVICE"] == "console"
    values = {
        k.removeprefix("ACCORD_CONSOLE_").lower(): _interpolate(v) for k, v in spec["environment"].items()
    }
    settings = ConsoleSettings(**values)
    assert settings.environment == "production" and settings.cookie_secure
    assert settings.engine_url == "http://reimbursement-engine:8000"
    assert not any("DATABASE_URL" in variable for variable in spec["environment"])


def test_every_required_variable_is_named_in_the_readme(compose: dict[str, Any]) -> None:
    readme = (ROOT / "README.md").read_text()
    for name in REQUIRED:
        assert name in readme, f"{name} must be set for docker compose: say so in the README"


def test_dockerfile_is_slim_non_root_with_healthcheck() -> None:
    dockerfile = (ROOT / "deploy/docker/Dockerfile").read_text()
    assert "FROM python:3.11-slim" in dockerfile
    assert "USER accord" in dockerfile
    assert "HEALTHCHECK" in dockerfile
