"""Generated TiC in-network-rates files, as bytes, for the streaming tests (unit and integration).

Each in_network item is a CPT code priced for our provider group (1, TIN OUR_TIN) and for
`other_groups` other groups: a real payer file is large because it prices every code for many
providers, and an import for one organisation keeps only its own rates.
"""

from __future__ import annotations

OUR_TIN = "11-1111111"
FIRST_CODE = 10000


def our_rate(number: int) -> str:
    """Our group's negotiated rate for item `number` (0-based), as the file spells it."""
    return f"{50 + number % 400}.{number % 100:02d}"


def in_network_file(
    items: int,
    *,
    other_groups: int = 0,
    ours_every: int = 1,
    references_last: bool = False,
    rate: str | None = None,
) -> bytes:
    """`items` CPT codes from 10000, our group pricing every `ours_every`-th (the first included);
    `rate` (JSON number text) replaces our generated rates."""
    header = (
        '"reporting_entity_name":"Acme Health","reporting_entity_type":"health insurance issuer",'
        '"last_updated_on":"2025-01-01","version":"2.0.0"'
    )
    references = f'"provider_references":[{",".join(_reference(g) for g in range(1, other_groups + 2))}]'
    priced = (_item(n, other_groups, n % ours_every == 0, rate) for n in range(items))
    in_network = f'"in_network":[{",".join(priced)}]'
    members = [header, in_network, references] if references_last else [header, references, in_network]
    return ("{" + ",".join(members) + "}").encode()


def _reference(group: int) -> str:
    tin = OUR_TIN if group == 1 else f"{20 + group % 70}-{1000000 + group}"
    return (
        f'{{"provider_group_id":{group},"network_name":["Acme PPO"],'
        f'"provider_groups":[{{"npi":[{1234567800 + group}],"tin":{{"type":"ein","value":"{tin}"}}}}]}}'
    )


def _item(number: int, other_groups: int, ours: bool, rate: str | None) -> str:
    rates = [(1, rate or our_rate(number))] if ours else []
    rates += [(group, f"{60 + group}.{number % 100:02d}") for group in range(2, other_groups + 2)]
    negotiated = ",".join(
        f'{{"provider_references":[{group}],"negotiated_prices":[{_price(figure)}]}}'
        for group, figure in rates
    )
    return (
        '{"negotiation_arrangement":"ffs","name":"Procedure","billing_code_type":"CPT",'
        f'"billing_code_type_version":"2025","billing_code":"{FIRST_CODE + number}",'
        f'"description":"A procedure","negotiated_rates":[{negotiated}]}}'
    )


def _price(figure: str) -> str:
    return (
        f'{{"negotiated_type":"negotiated","negotiated_rate":{figure},"expiration_date":"9999-12-31",'
        '"billing_class":"professional","service_code":["11"]}'
    )
