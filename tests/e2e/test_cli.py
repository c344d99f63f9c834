"""The service CLI as an operator uses it: migrate, issue a key (shown once, stored hashed), use it."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from accord_common.auth import hash_key
from accord_common.devstack.stack import SERVICES, Stack, StackConfig
from accord_common.testing import _process


def cli(db: Path, *args: str) -> str:
    env = {
        "ACCORD_REGISTRY_DATABASE_URL": f"sqlite+aiosqlite:///{db}",
        "ACCORD_REGISTRY_KAFKA_ENABLED": "false",
        "PATH": "/usr/bin:/bin",
    }
    done = subprocess.run(
        [sys.executable, "-m", "contract_registry.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=120,
    )
    return done.stdout.strip().splitlines()[-1]


def test_issue_api_key_then_call_the_api_with_it(tmp_path: Path) -> None:
    db = tmp_path / "registry.db"
    assert cli(db, "migrate") == "migrations applied"
    key = cli(
        db,
        "issue-api-key",
        "--org",
        "org-stmarys",
        "--name",
        "Epic billing",
        "--scopes",
        "contracts:read,contracts:write",
    )
    assert key.startswith("acc_")
    with sqlite3.connect(db) as conn:
        stored = conn.execute("SELECT key_hash, organization_id, scopes FROM api_keys").fetchall()
    assert stored[0][0] == hash_key(key) != key
    assert stored[0][1] == "org-stmarys"
    with pytest.raises(subprocess.CalledProcessError) as typo:
        cli(db, "issue-api-key", "--org", "o", "--name", "n", "--scopes", "contracts:read,contracts:wirte")
    assert typo.value.returncode == 2
    assert "unknown scope: contracts:wirte (valid: admin, claims:read" in typo.value.stderr
    assert "Traceback" not in typo.value.stderr

    config = StackConfig(
        data_dir=tmp_path,
        kafka_bootstrap="127.0.0.1:1",
        start_smtp_sink=False,
        database_urls={"contract-registry": f"sqlite+aiosqlite:///{db}"},
        port_offset=_process.free_port_offset([SERVICES[0].port]),
        services=("contract-registry",),
        extra_env={"ACCORD_REGISTRY_KAFKA_ENABLED": "false", "ACCORD_REGISTRY_BOOTSTRAP_API_KEY": ""},
    )
    stack = Stack(config)
    try:
        stack.start(timeout=60)
        url = stack.services["contract-registry"].url
        ok = httpx.post(
            f"{url}/v1/payers", json={"name": "Acme"}, headers={"Authorization": f"Bearer {key}"}, timeout=10
        )
        assert ok.status_code == 201, ok.text
        listed = httpx.get(f"{url}/v1/payers", headers={"X-API-Key": key}, timeout=10).json()
        assert [p["name"] for p in listed["items"]] == ["Acme"]
        refused = httpx.get(f"{url}/v1/payers", headers={"Authorization": "Bearer acc_x_y"})
        assert refused.status_code == 401
    finally:
        stack.stop()
