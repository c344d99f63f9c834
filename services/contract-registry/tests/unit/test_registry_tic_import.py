"""CMS Transparency in Coverage in-network-rates import: every published example, and the mapping."""

from __future__ import annotations

import io
import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from contract_registry.domain import (
    BillingUnit,
    CodeSystem,
    FeeSchedule,
    FeeScheduleRow,
    ProviderFilter,
    RateKind,
    Setting,
    TicImport,
    import_tic_in_network,
)
from tic_examples import EXAMPLES, EXPECTED

D = Decimal


def load(name: str, **options: Any) -> TicImport:
    with (EXAMPLES / name).open("rb") as stream:
        return import_tic_in_network(stream, **options)


def example_files() -> list[str]:
    if not EXAMPLES.is_dir():
        raise FileNotFoundError(f"shared data not found at {EXAMPLES} (set ACCORD_SHARED_DATA)")
    return sorted(path.name for path in EXAMPLES.iterdir() if path.is_file())


@pytest.mark.parametrize("name", example_files())
def test_every_example_imports_or_is_refused_with_a_clear_reason(name: str) -> None:
    result = load(name)
    expected = EXPECTED.get(name)
    assert expected is not None, f"new example {name}: add its expected outcome to EXPECTED"
    if isinstance(expected, int):
        assert result.imported and len(result.rows) == expected
        FeeSchedule(result.rows)  # unique keys, no overlapping dates
    else:
        assert not result.imported and result.rows == ()
        assert expected in (result.refusal_reason or "")


def row_for(
    result: TicImport, code: str, place: str | None = None, setting: Setting | None = None
) -> FeeScheduleRow:
    [row] = [r for r in result.rows if (r.code, r.place_of_service, r.setting) == (code, place, setting)]
    return row


@pytest.mark.parametrize(
    ("code", "place", "setting", "kind", "unit", "amount", "percentage"),
    [
        ("99214", "11", None, RateKind.AMOUNT, BillingUnit.UNIT, D("150.00"), None),  # negotiated
        ("97110", "22", None, RateKind.PERCENT_OF_CHARGES, BillingUnit.UNIT, None, D("65.0")),  # percentage
        (
            "0200",
            None,
            Setting.FACILITY,
            RateKind.PER_DIEM,
            BillingUnit.DAY,
            D("5500.00"),
            None,
        ),  # RC per diem
        ("80053", "81", None, RateKind.AMOUNT, BillingUnit.UNIT, D("45.00"), None),  # derived
        ("27447", "21", None, RateKind.AMOUNT, BillingUnit.UNIT, D("8500.00"), None),  # fee schedule
        (
            "27447",
            None,
            Setting.FACILITY,
            RateKind.AMOUNT,
            BillingUnit.UNIT,
            D("12000.00"),
            None,
        ),  # institutional
        ("99285", "23", None, RateKind.PERCENT_OF_CHARGES, BillingUnit.UNIT, None, D("75.5")),
    ],
)
def test_each_negotiated_type_maps_to_its_rate_kind(
    code: str,
    place: str | None,
    setting: Setting | None,
    kind: RateKind,
    unit: BillingUnit,
    amount: Decimal | None,
    percentage: Decimal | None,
) -> None:
    row = row_for(load("in-network-rates-all-negotiated-types-sample.json"), code, place, setting)
    assert (row.rate_kind, row.unit, row.amount, row.percentage) == (kind, unit, amount, percentage)
    assert (row.effective_from, row.effective_to) == (date(2024, 1, 15), date(2024, 12, 31))


def test_modifiers_and_cstm_00_places_of_service() -> None:
    result = load("in-network-rates-fee-for-service-single-plan-sample.json")
    assert row_for(result, "27447", "18").modifiers == ("AS",)
    assert row_for(result, "27448", None).amount == D("12003.45")  # service_code CSTM-00: every place
    assert row_for(result, "27448", "19", Setting.FACILITY).amount == D("12.45")


def test_only_the_organisations_providers_are_kept() -> None:
    city_general = ProviderFilter(tins=frozenset({"34-5678901"}))
    result = load("in-network-rates-all-negotiated-types-sample.json", providers=city_general)
    assert sorted({row.code for row in result.rows}) == ["0200", "27447", "99285"]
    assert result.skipped_other_providers == 3
    by_npi = load("in-network-rates-no-npi.json", providers=ProviderFilter(npis=frozenset({1111111111})))
    assert len(by_npi.rows) == 1


def minimal_file(*items: dict[str, Any], references: list[dict[str, Any]] | None = None) -> io.BytesIO:
    document = {
        "reporting_entity_name": "Acme Health",
        "last_updated_on": "2025-01-01",
        "version": "2.0.0",
        "provider_references": references
        if references is not None
        else [
            {
                "provider_group_id": 1,
                "network_name": ["Acme"],
                "provider_groups": [{"npi": [1234567893], "tin": {"type": "ein", "value": "11-1111111"}}],
            }
        ],
        "in_network": list(items),
    }
    return io.BytesIO(json.dumps(document).encode())


def item(
    code_type: str = "CPT", code: str = "99213", refs: list[int] | None = None, **price: Any
) -> dict[str, Any]:
    arrangement = price.pop("arrangement", "ffs")
    negotiated_price = {
        "negotiated_type": "negotiated",
        "negotiated_rate": 88.95,
        "expiration_date": "9999-12-31",
        "billing_class": "professional",
        "service_code": ["11"],
        "setting": "outpatient",
        **price,
    }
    return {
        "negotiation_arrangement": arrangement,
        "billing_code_type": code_type,
        "billing_code": code,
        "negotiated_rates": [{"provider_references": refs or [1], "negotiated_prices": [negotiated_price]}],
    }


def test_an_evergreen_expiration_date_is_open_ended_and_rates_stay_decimal() -> None:
    [row] = import_tic_in_network(minimal_file(item())).rows
    assert row.effective_to is None
    assert row.amount == D("88.95") and isinstance(row.amount, Decimal)


@pytest.mark.parametrize(
    ("entry", "reason"),
    [
        (item(refs=[7]), "negotiated_rates[1]: provider_references [7] are not resolved"),
        (
            item("APR-DRG", "194"),
            "billing_code_type APR-DRG is not supported (CPT, HCPCS, RC, MS-DRG, APC are)",
        ),
        (item("CPT", "CSTM-00"), "billing_code CSTM-00 (every code of the type) has no row-by-row rate"),
        (item("CPT", "9921"), "CPT code '9921' is not 4 digits"),
        (item(negotiated_rate=-5), "negotiated_prices[1]: amount: must not be negative, got -5"),
        (
            item(negotiated_type="percentage", negotiated_rate=5000),
            "percentage: must be within 0 < p <= 1000%, got 5000%",
        ),
        (item(negotiated_type="discount"), "negotiated_type discount is not one the schema allows"),
        (
            item(expiration_date="2024-06-30"),
            "expired on 2024-06-30, before the import's effective date 2025-01-01",
        ),
        (item(service_code=["A1"]), "service_code: place of service 'A1' is not a two-digit CMS code"),
        (item(billing_class="dental"), "billing_class dental is not professional/institutional/both"),
    ],
)
def test_refusals_say_what_and_why(entry: dict[str, Any], reason: str) -> None:
    result = import_tic_in_network(minimal_file(entry))
    assert not result.imported
    [refusal] = result.refusals
    assert reason in refusal.reason
    assert str(refusal).startswith(f"item 1 ({entry['billing_code_type']} {entry['billing_code']}): ")


def test_remote_provider_references_must_be_fetched_first() -> None:
    remote = [{"provider_group_id": 1, "location": "https://payer.example/providers/1.json"}]
    result = import_tic_in_network(minimal_file(item(), references=remote))
    assert "fetch remote provider references and inline them first" in result.refusals[0].reason


@pytest.mark.parametrize(
    ("code_type", "code", "system", "expected_code"),
    [
        ("HCPCS", "99213", CodeSystem.CPT, "99213"),  # level I HCPCS is CPT
        ("CPT", "J1885", CodeSystem.HCPCS, "J1885"),
        ("RC", "450", CodeSystem.REV, "0450"),
        ("MS-DRG", "470", CodeSystem.MSDRG, "470"),
        ("APC", "5012", CodeSystem.APC, "5012"),
    ],
)
def test_code_types_map_to_fee_schedule_code_systems(
    code_type: str, code: str, system: CodeSystem, expected_code: str
) -> None:
    [row] = import_tic_in_network(minimal_file(item(code_type, code))).rows
    assert (row.code_system, row.code) == (system, expected_code)


def test_a_negotiated_price_supersedes_a_derived_price_for_the_same_row() -> None:
    derived = item(negotiated_type="derived", negotiated_rate=80)
    negotiated = item(negotiated_rate=88.95)
    result = import_tic_in_network(minimal_file(derived, negotiated))
    [row] = result.rows
    assert row.amount == D("88.95")
    assert (
        "derived price for CPT 99213 POS 11 from 2025-01-01 superseded by the negotiated price"
        in result.refusals[0].reason
    )


def test_conflicting_rates_for_the_same_row_ask_for_a_provider_filter() -> None:
    result = import_tic_in_network(minimal_file(item(negotiated_rate=88.95), item(negotiated_rate=95)))
    assert [row.amount for row in result.rows] == [D("88.95")]
    assert "pass a ProviderFilter" in result.refusals[0].reason


def test_a_bundle_with_a_procedure_code_becomes_a_case_rate() -> None:
    [row] = import_tic_in_network(minimal_file(item(arrangement="bundle", negotiated_rate=20000))).rows
    assert (row.rate_kind, row.unit, row.amount) == (RateKind.CASE_RATE, BillingUnit.CASE, D("20000"))


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"{not json", "not valid JSON"),
        (b'{"reporting_entity_name": "x"}', "not an in-network-rates file: no in_network array"),
        (b'{"in_network": []}', "no effective date: the file has no last_updated_on, pass effective_from"),
        (b'  <?xml version="1.0"?><root/>', "XML in-network files"),
    ],
)
def test_whole_file_refusals(content: bytes, reason: str) -> None:
    result = import_tic_in_network(io.BytesIO(content))
    assert reason in (result.refusal_reason or "")


def test_the_caller_may_choose_the_effective_date() -> None:
    result = load("in-network-rates-no-npi.json", effective_from=date(2021, 7, 1))
    assert (result.rows[0].effective_from, result.rows[0].effective_to) == (
        date(2021, 7, 1),
        date(2022, 1, 1),
    )
    assert result.last_updated_on == date(2020, 8, 27)
