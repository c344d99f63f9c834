"""libs/common's tests share the bulk-update case (common_bulk_update_case.py) between the SQLite
and the PostgreSQL test. The workspace runs pytest with --import-mode=importlib, which does not put
test folders on sys.path; this folder is added so the case imports by name. `maven_kafka`: Apache
Kafka itself, for the tests of what only it does."""

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from accord_common.testing import _kafka_jvm
from accord_common.testing.kafka import ENV_BROKER, KafkaBroker, plan_kafka, start_kafka_maven

_HERE = str(Path(__file__).parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)


@pytest.fixture(scope="module")
def maven_kafka(request: pytest.FixtureRequest) -> Iterator[KafkaBroker]:
    """The session broker if it is Kafka from Maven jars, else a dedicated one."""
    if not _kafka_jvm.available():
        # Java and Maven are optional by design (scripts/ensure-system-deps.sh): without them the
        # harness runs on tansu, whose provider is tested unconditionally
        # (test_testing_infra_providers.py). Only a machine without a JVM skips what needs Apache
        # Kafka, and forcing the broker makes it fail instead.
        if os.environ.get(ENV_BROKER) == "kafka":
            pytest.fail(f"{ENV_BROKER}=kafka but java, mvn or deploy/kafka/pom.xml is missing")
        pytest.skip("java, mvn or deploy/kafka/pom.xml missing: the optional Maven provider is untested")
    if plan_kafka().endswith("Maven jars"):
        yield request.getfixturevalue("kafka_broker")
        return
    with start_kafka_maven() as broker:
        yield broker
