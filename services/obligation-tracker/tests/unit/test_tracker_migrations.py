"""The tracker's migrations build exactly the tables the code declares, and the revisions for
contract KPI measures and payments awaiting pricing keep the rows already stored (SQLite)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from accord_common.migrate import alembic_config, upgrade
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from obligation_tracker.adapters.orm import metadata
from obligation_tracker.bootstrap import SERVICE_ROOT
from sqlalchemy import create_engine, text

BEFORE = "c1826dd728b2"  # parked claim events, before these two revisions
NOW = datetime(2026, 6, 1, 12, tzinfo=UTC).isoformat()


def database(tmp_path: Path) -> tuple[str, str]:
    path = tmp_path / "tracker.db"
    return f"sqlite+aiosqlite:///{path}", f"sqlite:///{path}"


def rows(url: str, query: str) -> list[Any]:
    engine = create_engine(url)
    with engine.connect() as conn:
        found = list(conn.execute(text(query)).all())
    engine.dispose()
    return found


def execute(url: str, statement: str, **values: Any) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(statement), values)
    engine.dispose()


def test_the_migrated_schema_is_the_declared_one(tmp_path: Path) -> None:
    async_url, url = database(tmp_path)
    upgrade(SERVICE_ROOT, async_url)
    engine = create_engine(url)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []
    engine.dispose()


def test_stored_rows_survive_the_upgrade_and_the_downgrade(tmp_path: Path) -> None:
    async_url, url = database(tmp_path)
    upgrade(SERVICE_ROOT, async_url, BEFORE)
    event = {"id": "ev-1", "type": "claim.priced", "data": {"claim_id": "CLM-1", "contract_id": "c-1"}}
    execute(
        url,
        "INSERT INTO parked_claim_events VALUES ('ev-1', 'org-1', 'c-1', 'claim.priced', :event, :at)",
        event=json.dumps(event),
        at=NOW,
    )
    execute(
        url,
        "INSERT INTO kpi_measures VALUES"
        " ('m-1', 'org-1', 'c-1', 'Readmissions', 'lower_is_better', 0.12, 1, '2026-01-01', '2026-12-31', :at)",
        at=NOW,
    )

    upgrade(SERVICE_ROOT, async_url)
    assert rows(url, "SELECT event_id, awaiting, claim_id, contract_id FROM parked_claim_events") == [
        ("ev-1", "contract", "CLM-1", "c-1")
    ]
    assert rows(url, "SELECT id, defined_by, changes, retired_at FROM kpi_measures") == [
        ("m-1", "staff", "[]", None)
    ]

    for event_id, contract_id in (("ev-2", None), ("ev-3", "c-1")):  # payments waiting for pricing
        execute(
            url,
            "INSERT INTO parked_claim_events (event_id, organization_id, contract_id, event_type, event,"
            " parked_at, awaiting, claim_id) VALUES (:id, 'org-1', :contract, 'claim.paid', '{}', :at,"
            " 'claim.priced', 'CLM-1')",
            id=event_id,
            contract=contract_id,
            at=NOW,
        )
    command.downgrade(alembic_config(SERVICE_ROOT, async_url), BEFORE)
    assert rows(url, "SELECT event_id, contract_id FROM parked_claim_events ORDER BY event_id") == [
        ("ev-1", "c-1"),
        ("ev-3", "c-1"),  # back to waiting for its contract; one naming none cannot
    ]
    assert rows(url, "SELECT id, name FROM kpi_measures") == [("m-1", "Readmissions")]


def test_outbox_rows_keep_one_event_each_after_the_upgrade_and_a_downgrade_waits_for_bundles(
    tmp_path: Path,
) -> None:
    """outbox_0001: a row written before holds one event; going back is refused while a row holds
    several (a release before would send it as one record), and done once the relay took it."""
    async_url, url = database(tmp_path)
    upgrade(SERVICE_ROOT, async_url, "ratelimit_0001")
    insert = (
        "INSERT INTO outbox (event_id, topic, message_key, payload, headers, created_at{extra}) "
        "VALUES (:id, 'obligation.created', 'k', x'7b7d', '{{}}', :at{value})"
    )
    execute(url, insert.format(extra="", value=""), id="before", at=NOW)
    upgrade(SERVICE_ROOT, async_url, "outbox_0001")
    assert rows(url, "SELECT event_id, event_count FROM outbox") == [("before", 1)]
    execute(url, insert.format(extra=", event_count", value=", 2"), id="bundle", at=NOW)
    config = alembic_config(SERVICE_ROOT, async_url)
    with pytest.raises(RuntimeError, match="1 outbox rows hold several events"):
        command.downgrade(config, "ratelimit_0001")
    assert rows(url, "SELECT count(*) FROM outbox") == [(2,)]
    execute(url, "DELETE FROM outbox WHERE event_id = 'bundle'")
    command.downgrade(config, "ratelimit_0001")
    assert rows(url, "SELECT * FROM outbox")[0][:3] == (1, "before", "obligation.created")
