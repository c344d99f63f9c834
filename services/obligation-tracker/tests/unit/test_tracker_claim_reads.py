"""What a run of claim events remembers within its unit of work (handlers/run_memo.py, the claim
run's ids) answers exactly as a fresh read would: the contract version a claim's deadlines come from,
a variance's appeal-only terms, an obligation row turned into the domain's obligation."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from accord_common.messaging.batch import apply_run
from obligation_tracker.adapters.repository import to_stored
from obligation_tracker.handlers.claim_run_stores import ClaimRun
from obligation_tracker.handlers.claims import _appeal_terms, claim_version, terms_of
from obligation_tracker.ids import as_uuid
from test_tracker_claim_run import CONSUMER, new_db
from tracker_claim_events import VERSION_1, VERSION_2, Db, priced, record, underpaid, version

SPRING, AUTUMN = date(2026, 5, 1), date(2026, 8, 3)  # in force: version 1, version 2


@pytest.mark.parametrize("hold", [True, False])
async def test_a_claims_version_asked_again_in_a_unit_of_work_is_the_one_a_fresh_unit_finds(
    db: Db, hold: bool
) -> None:
    contract_id = str(uuid.uuid4())
    await db.deliver(version(contract_id, 1, **VERSION_1), version(contract_id, 2, **VERSION_2))
    async with db.uow() as uow:
        asked = [
            await claim_version(uow, contract_id, "org-versions", day, None, hold=hold)
            for day in (SPRING, AUTUMN, SPRING, AUTUMN)
        ]
    for day, answer in zip((SPRING, AUTUMN, SPRING, AUTUMN), asked, strict=True):
        async with db.uow() as fresh:
            assert answer == await claim_version(fresh, contract_id, "org-versions", day, None, hold=hold)
    assert [a.version for a in asked] == [1, 2, 1, 2]


async def test_a_variances_appeal_only_terms_are_the_versions_terms_without_filing_and_prompt_pay(
    db: Db,
) -> None:
    contract_id = str(uuid.uuid4())
    await db.deliver(version(contract_id, 1, **VERSION_1))
    async with db.uow() as uow:
        data = await claim_version(uow, contract_id, "org-versions", SPRING, None)
        first, again = _appeal_terms(uow, data), _appeal_terms(uow, data)
    assert first is again
    assert first == replace(terms_of(data), timely_filing_days=None, prompt_pay_days=None)
    assert first.appeal_window_days == 180


async def test_claims_of_both_versions_in_one_run_take_their_own_versions_deadlines(tmp_path: Path) -> None:
    db = await new_db(tmp_path / "run.db")
    try:
        contract_id = str(uuid.uuid4())
        await db.deliver(version(contract_id, 1, **VERSION_1), version(contract_id, 2, **VERSION_2))
        run = [
            priced("SPRING", contract_id, None, "2026-05-01", "2026-05-05"),
            priced("AUTUMN", contract_id, None, "2026-08-03", "2026-08-07"),
            priced("SPRING-2", contract_id, None, "2026-05-01", "2026-05-05"),
            underpaid("SPRING", contract_id, "2026-06-10"),
            underpaid("AUTUMN", contract_id, "2026-09-10"),
        ]
        await apply_run(CONSUMER, [record(e, i) for i, e in enumerate(run)], db.handlers, db.uow)
        due = await db.due()
    finally:
        await db.engine.dispose()
    assert due[("SPRING", "appeal")] == (date(2026, 12, 7), "open")  # remitted + 180 days
    assert due[("AUTUMN", "appeal")] == (date(2026, 11, 9), "open")  # remitted + 60 days
    assert due[("SPRING-2", "prompt_pay")] == due[("SPRING", "prompt_pay")] == (date(2026, 6, 4), "open")
    assert due[("AUTUMN", "prompt_pay")] == (date(2026, 9, 21), "open")


@pytest.mark.parametrize("claim_id", [str(uuid.uuid4()), "CLM-1001", None])
def test_a_row_read_with_the_runs_remembered_ids_is_the_obligation_a_fresh_read_makes(
    claim_id: str | None,
) -> None:
    contract_id = str(uuid.uuid4())
    claim_key = str(as_uuid(claim_id)) if claim_id else "-"
    row = SimpleNamespace(
        id=str(uuid.uuid4()),
        organization_id="org-1",
        natural_key=f"prompt_pay/{contract_id}/{claim_key}/",
        kind="prompt_pay",
        contract_id=contract_id,
        claim_id=claim_id,
        payer_id="payer-acme",
        patient_control_number="PCN-1001",
        payer_name="Acme Health",
        description="received by payer 2026-05-05 + 30 calendar days",
        title="Payer prompt-pay due: claim PCN-1001 (Acme Health)",
        due_date=date(2026, 6, 4),
        due_at=datetime(2026, 6, 4, 22, 0),  # naive, as SQLite hands it back
        status="open",
        reasons=["received by payer 2026-05-05 + 30 calendar days"],
        snoozed_until=None,
        interest_owed=None,
        created_at=datetime(2026, 6, 1, 12, tzinfo=UTC),
        updated_at=datetime(2026, 6, 1, 12, tzinfo=UTC),
    )
    zone = ZoneInfo("America/Chicago")
    run = ClaimRun(None, set())  # type: ignore[arg-type]
    remembered = [to_stored(row, zone, run.uuid_of) for _ in range(2)]
    assert remembered[0] == remembered[1] == to_stored(row, zone)
    assert remembered[0].obligation.contract_id is remembered[1].obligation.contract_id
