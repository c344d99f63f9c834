"""Published (TiC) rates for our TINs/NPIs beside the contract's: only our dollar rates count, and a
rate differs when it is a cent or more off."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from reimbursement_engine.domain.published_rates import (
    NotAnInNetworkFile,
    Providers,
    PublishedRate,
    differences,
    published_rates,
)

D = Decimal
OURS = Providers.of(["123456789"], ["1234567893"])


def price(rate: Any, kind: str = "negotiated", **extra: Any) -> dict[str, Any]:
    return {"negotiated_type": kind, "negotiated_rate": rate, "billing_class": "professional", **extra}


def document(*rates: dict[str, Any], arrangement: str = "ffs", code_type: str = "CPT") -> dict[str, Any]:
    return {
        "provider_references": [
            {
                "provider_group_id": 1,
                "provider_groups": [{"npi": [1234567893], "tin": {"value": "12-3456789"}}],
            },
            {"provider_group_id": 2, "provider_groups": [{"npi": [99], "tin": {"value": "98-7654321"}}]},
        ],
        "in_network": [
            {
                "negotiation_arrangement": arrangement,
                "billing_code_type": code_type,
                "billing_code": "99213",
                "negotiated_rates": list(rates),
            }
        ],
    }


CASES = [
    # (negotiated_rates of one 99213 item, rates read (amount), things left out)
    ([{"provider_references": [1], "negotiated_prices": [price(D("103.0"))]}], ["103.00"], 0),
    ([{"provider_references": [2], "negotiated_prices": [price(D("1.0"))]}], [], 0),  # not ours
    (  # inline groups: ours by NPI alone
        [
            {
                "provider_groups": [{"npi": [1234567893], "tin": {"value": "00-0000000"}}],
                "negotiated_prices": [price(5)],
            }
        ],
        ["5.00"],
        0,
    ),
    ([{"provider_references": [1], "negotiated_prices": [price(80, "percentage")]}], [], 1),
    ([{"provider_references": [1], "negotiated_prices": [price("abc")]}], [], 1),
    (
        [
            {
                "provider_references": [1],
                "negotiated_prices": [price(7, "fee schedule", billing_code_modifier=["26"])],
            }
        ],
        ["7.00"],
        0,
    ),
]


@pytest.mark.parametrize(("rates", "read", "left_out"), CASES)
def test_our_dollar_rates_are_read(rates: list[dict[str, Any]], read: list[str], left_out: int) -> None:
    found = published_rates(document(*rates), OURS)
    assert [r.rate for r in found.rates] == [D(x) for x in read]
    assert len(found.left_out) == left_out


def test_only_fee_for_service_cpt_hcpcs_items_and_in_network_files() -> None:
    ours = [{"provider_references": [1], "negotiated_prices": [price(10)]}]
    assert published_rates(document(*ours, arrangement="bundle"), OURS).rates == []
    assert published_rates(document(*ours, code_type="RC"), OURS).rates == []
    with pytest.raises(NotAnInNetworkFile):
        published_rates({"reporting_entity_name": "x"}, OURS)


def rate(code: str, amount: str) -> PublishedRate:
    return PublishedRate("CPT", code, (), "professional", "11", D(amount))


def test_a_cent_off_differs_and_unpriced_codes_are_apart() -> None:
    published = [
        rate("99213", "103.00"),
        rate("99214", "150.00"),
        rate("99215", "210.00"),
        rate("99212", "60.01"),
    ]
    contract = {
        published[0]: D("103.00"),
        published[1]: D("154.50"),
        published[2]: None,
        published[3]: D("60.00"),
    }
    differ, unpriced = differences(published, contract)
    assert [(d.rate.code, d.difference) for d in differ] == [("99214", D("-4.50")), ("99212", D("0.01"))]
    assert [r.code for r in unpriced] == ["99215"]
