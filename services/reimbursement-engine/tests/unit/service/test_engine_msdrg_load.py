"""`reimbursement-engine load-msdrg-weights`: the CSV into the engine's table, then into pricing."""

from __future__ import annotations

import asyncio
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from accord_common.db import make_engine, make_session_factory
from reimbursement_engine.adapters import drg_repo
from reimbursement_engine.adapters.caches import EngineCaches
from reimbursement_engine.cli import main

SAMPLE = Path(__file__).parents[1] / "pricing" / "data" / "msdrg_weights_sample.csv"


async def _read(url: str) -> tuple[dict[str, Decimal], Decimal | None]:
    engine = make_engine(url)
    try:
        async with make_session_factory(engine)() as session:
            table = await drg_repo.read_year(session, 2025)
            reference = await EngineCaches().medicare(session, {2025}, {2025})
            found = reference.drg_weight("470", date(2025, 3, 14))
    finally:
        await engine.dispose()
    return dict(table.weights), None if found is None else found[0]


async def test_the_command_loads_a_fiscal_year_and_reloads_idempotently(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'engine.db'}"
    monkeypatch.setenv("ACCORD_ENGINE_DATABASE_URL", url)
    for _ in range(2):
        with pytest.raises(SystemExit) as done:
            await _run_in_thread(["load-msdrg-weights", "--year", "2025", "--file", str(SAMPLE)])
        assert done.value.code == 0
    assert "loaded MS-DRG weights FY2025: 3 DRGs" in capsys.readouterr().out
    weights, used = await _read(url)
    assert weights == {"470": Decimal("1.9000"), "871": Decimal("1.8500"), "291": Decimal("1.3000")}
    assert used == Decimal("1.9000")


async def test_a_bad_file_is_refused_with_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ACCORD_ENGINE_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'e.db'}")
    bad = tmp_path / "bad.csv"
    bad.write_text("drg,weight\n470,heavy\n", encoding="utf-8")
    with pytest.raises(SystemExit) as done:
        await _run_in_thread(["load-msdrg-weights", "--year", "2025", "--file", str(bad)])
    assert done.value.code == 2
    assert "line 2: weight 'heavy' is not a number" in capsys.readouterr().err


async def _run_in_thread(argv: list[str]) -> None:
    """The command runs its own event loop (asyncio.run), so it cannot run on the test's."""
    await asyncio.to_thread(main, argv)
