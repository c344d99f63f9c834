"""Fee schedules over HTTP: CSV all-or-nothing, every TiC example, export, rows, link and coverage."""

from __future__ import annotations

import csv
import io

import httpx
import pytest
from accord_common.testing.outbox import outbox_events
from contract_registry.adapters.orm import fee_schedule_rows, fee_schedules
from registry_helpers import CSV_HEADER, active_contract, import_csv, ok
from sqlalchemy import func, select
from tic_examples import EXAMPLES as TIC
from tic_examples import EXPECTED as TIC_EXPECTED
from tic_files import in_network_file

from conftest import Registry

GOOD = (
    CSV_HEADER
    + "CPT,99213,,11,,unit,amount,88.95,,2026-01-01,\nCPT,99214,,,,unit,percent_of_medicare,,120,2026-01-01,\n"
)


async def _counts(registry: Registry) -> tuple[int, int, int]:
    async with registry.runtime.sessions() as session:
        schedules = await session.scalar(select(func.count()).select_from(fee_schedules))
        rows = await session.scalar(select(func.count()).select_from(fee_schedule_rows))
        outbox = registry.runtime.metadata.tables["outbox"]
        chunks = len(await outbox_events(session, outbox, topic="fee_schedule.published"))
    return int(schedules or 0), int(rows or 0), chunks


async def test_a_csv_with_bad_rows_is_reported_row_by_row_and_nothing_is_written(registry: Registry) -> None:
    before = await _counts(registry)
    bad = (
        CSV_HEADER
        + "CPT,99213,,11,,unit,amount,88.95,,2026-01-01,\n"
        + "CPT,99214,,11,,unit,amount,-5,,2026-01-01,\n"
        + "CPT,9921,,11,,unit,amount,10,,2026-01-01,\n"
        + "CPT,99215,,11,,unit,percent_of_medicare,,5000,2026-13-01,\n"
    )
    response = await import_csv(registry.a, bad)
    assert response.status_code == 422 and response.headers["content-type"] == "application/problem+json"
    errors = {(e["row"], e["column"]) for e in response.json()["errors"]}
    assert errors == {(3, "amount"), (4, "code"), (5, "effective_from")}
    assert all(e["message"] for e in response.json()["errors"])
    assert await _counts(registry) == before


async def test_overlapping_dates_for_the_same_code_refuse_the_file(registry: Registry) -> None:
    before = await _counts(registry)
    clash = (
        CSV_HEADER
        + "CPT,99213,,,,unit,amount,80,,2026-01-01,2026-12-31\nCPT,99213,,,,unit,amount,85,,2026-06-01,\n"
    )
    response = await import_csv(registry.a, clash)
    assert response.status_code == 422
    assert response.json()["errors"][0]["row"] == 3 and "overlap" in response.json()["errors"][0]["message"]
    assert await _counts(registry) == before


def _dated(*ranges: tuple[str, str]) -> str:
    return CSV_HEADER + "".join(
        f"CPT,99213,,,,unit,amount,{80 + i},,{a},{b}\n" for i, (a, b) in enumerate(ranges)
    )


@pytest.mark.parametrize(
    ("ranges", "clashes"),
    [
        ((("2026-01-01", "2026-06-30"), ("2026-06-30", "")), {(3, 2)}),  # one shared day
        ((("2026-06-30", ""), ("2026-01-01", "2026-06-30")), {(2, 3)}),  # the same, later listed first
        (  # a year, then February and May inside it: both overlap the year, not each other
            (("2026-01-01", "2026-12-31"), ("2026-02-01", "2026-02-28"), ("2026-05-01", "2026-05-31")),
            {(3, 2), (4, 2)},
        ),
        ((("2026-01-01", ""), ("2027-01-01", "2027-12-31")), {(3, 2)}),  # open-ended, then any later row
        (  # a chain: each overlaps the one before it only
            (("2026-01-01", "2026-01-31"), ("2026-01-15", "2026-02-15"), ("2026-02-10", "2026-03-31")),
            {(3, 2), (4, 3)},
        ),
    ],
)
async def test_a_code_whose_rates_overlap_in_time_refuses_the_file_naming_both_rows(
    registry: Registry, ranges: tuple[tuple[str, str], ...], clashes: set[tuple[int, int]]
) -> None:
    """A code's rows are compared in date order; each overlap names the row and the row it overlaps."""
    response = await import_csv(registry.a, _dated(*ranges))
    assert response.status_code == 422, response.text
    found = {
        (e["row"], int(e["message"].split("overlap row ")[1].split()[0])) for e in response.json()["errors"]
    }
    assert found == clashes


@pytest.mark.parametrize(
    "ranges",
    [
        (("2026-01-01", "2026-06-30"), ("2026-07-01", "")),  # back to back
        (("2026-07-01", ""), ("2026-01-01", "2026-06-30")),  # the same, the later listed first
        (("2026-01-01", "2026-01-31"), ("2026-03-01", "2026-03-31"), ("2026-02-01", "2026-02-28")),
    ],
)
async def test_rates_of_a_code_in_turn_are_accepted(
    registry: Registry, ranges: tuple[tuple[str, str], ...]
) -> None:
    response = await import_csv(registry.a, _dated(*ranges))
    assert response.status_code == 201, response.text


async def test_import_export_round_trip_rows_and_pagination(registry: Registry) -> None:
    report = ok(await import_csv(registry.a, GOOD, name="Acme 2026"), 201)
    schedule = report["schedule"]
    assert (schedule["row_count"], report["rows_accepted"]) == (2, 2) and len(schedule["content_hash"]) == 64
    exported = await registry.a.get(f"/v1/fee-schedules/{schedule['id']}/export.csv")
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    assert list(csv.reader(io.StringIO(exported.text)))[1:] == list(csv.reader(io.StringIO(GOOD)))[1:]
    again = ok(await import_csv(registry.a, exported.text), 201)["schedule"]
    assert again["content_hash"] == schedule["content_hash"]
    first = ok(await registry.a.get(f"/v1/fee-schedules/{schedule['id']}/rows", params={"limit": 1}))
    second = ok(
        await registry.a.get(
            f"/v1/fee-schedules/{schedule['id']}/rows", params={"limit": 1, "cursor": first["next_cursor"]}
        )
    )
    assert [r["code"] for r in first["items"] + second["items"]] == ["99213", "99214"]
    assert second["items"][0]["percentage"] == "120" and first["items"][0]["amount"] == "88.95"


@pytest.mark.parametrize("name", sorted(TIC_EXPECTED))
async def test_every_tic_example_imports_or_is_refused_with_the_reason(registry: Registry, name: str) -> None:
    path = TIC / name
    assert path.is_file(), f"shared data not found at {path} (set ACCORD_SHARED_DATA)"
    response = await registry.a.post(
        "/v1/fee-schedules/tic",
        data={"name": name},
        files={"file": (name, path.read_bytes(), "application/json")},
    )
    expected = TIC_EXPECTED[name]
    if isinstance(expected, int):
        assert response.status_code == 201, response.text
        assert response.json()["schedule"]["row_count"] == expected
    else:
        assert response.status_code == 422 and response.headers["content-type"] == "application/problem+json"
        assert expected in response.json()["detail"]


async def import_tic(registry: Registry, content: bytes, name: str = "in-network") -> httpx.Response:
    return await registry.a.post(
        "/v1/fee-schedules/tic",
        data={"name": name},
        files={"file": ("in-network.json", content, "application/json")},
    )


async def test_a_tic_file_cut_short_in_in_network_is_refused_saying_where_and_nothing_is_stored(
    registry: Registry,
) -> None:
    content = in_network_file(200, references_last=True)
    cut = content[: content.index(b'"billing_code":"10150"')]  # in the middle of item 151
    before = await _counts(registry)
    response = await import_tic(registry, cut)
    assert response.status_code == 422 and response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == (
        "the file was not imported: not valid JSON: parse error: premature EOF: "
        f"the file ends after {len(cut):,} bytes, in in_network item 151"
    )
    assert await _counts(registry) == before
    assert ok(await import_tic(registry, content), 201)["schedule"]["row_count"] == 200  # whole, it imports


async def test_tic_rates_keep_every_digit(registry: Registry) -> None:
    schedule = ok(await import_tic(registry, in_network_file(1, rate="123.456789")), 201)["schedule"]
    [row] = ok(await registry.a.get(f"/v1/fee-schedules/{schedule['id']}/rows"))["items"]
    assert (row["code"], row["amount"]) == ("10000", "123.456789")


def test_no_tic_example_is_left_untested() -> None:
    assert TIC.is_dir(), f"shared data not found at {TIC} (set ACCORD_SHARED_DATA)"
    assert {p.name for p in TIC.iterdir() if p.is_file()} == set(TIC_EXPECTED)


async def test_a_schedule_linked_to_a_version_drives_coverage(registry: Registry) -> None:
    term = {
        "name": "Fee schedule",
        "service_category": "professional",
        "matcher": {"ranges": [{"code_system": "CPT", "first": "99202", "last": "99499"}]},
        "methodology": {"kind": "fee_schedule"},
    }
    cid = (await active_contract(registry.a, payment_terms=[term]))["id"]
    schedule = ok(await import_csv(registry.a, GOOD), 201)["schedule"]
    linked = ok(
        await registry.a.post(
            f"/v1/contracts/{cid}/fee-schedule",
            json={"schedule_id": schedule["id"], "effective_from": "2026-07-01"},
        ),
        201,
    )
    assert linked["version"]["fee_schedule"] == {
        "schedule_id": schedule["id"],
        "content_hash": schedule["content_hash"],
        "row_count": 2,
    }
    codes = [{"code_system": "CPT", "code": c} for c in ("99213", "99215", "27447")]
    report = ok(
        await registry.a.post(f"/v1/contracts/{cid}/coverage", json={"codes": codes, "date": "2026-08-01"})
    )
    assert [(c["code"], c["term"]) for c in report["covered"]] == [("99213", "Fee schedule")]
    assert {u["code"] for u in report["not_covered"]} == {"99215", "27447"}
    diff = ok(await registry.a.get(f"/v1/contracts/{cid}/diff", params={"from": 1, "to": 2}))
    assert {r["code"] for r in diff["fee_schedule"]["added"]} == {"99213", "99214"}
