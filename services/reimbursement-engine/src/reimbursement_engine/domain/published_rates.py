"""A payer's published rates (CMS Transparency in Coverage in-network-rates file, schema v2) for the
organisation's own TINs and NPIs, set beside the contract: every code where they differ is a payer
loading error caught before a claim is paid at it.

Read from the file: fee-for-service items (negotiation_arrangement "ffs") coded CPT or HCPCS, their
negotiated_rates whose provider groups (inline, or by provider_references to provider_references)
hold one of our TINs or NPIs, and their negotiated_prices of negotiated_type "negotiated" or "fee
schedule" (a dollar amount per service). Percentages, per diems and derived prices are left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from reimbursement_engine.domain.contract_match import canonical_tin

CENT = Decimal("0.01")
DOLLAR_TYPES = frozenset({"negotiated", "fee schedule"})
CODE_TYPES = frozenset({"CPT", "HCPCS"})


class NotAnInNetworkFile(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class PublishedRate:
    code_system: str
    code: str
    modifiers: tuple[str, ...]
    billing_class: str
    place_of_service: str | None
    rate: Decimal


@dataclass
class PublishedRates:
    rates: list[PublishedRate] = field(default_factory=list)
    other_providers: int = 0  # negotiated_rates for providers that are not ours
    left_out: list[str] = field(default_factory=list)  # what was not compared, and why


@dataclass(frozen=True, slots=True)
class Providers:
    """The organisation's own: TINs (any punctuation) and NPIs."""

    tins: frozenset[str]
    npis: frozenset[str]

    @classmethod
    def of(cls, tins: Iterable[str], npis: Iterable[str]) -> Providers:
        return cls(frozenset(t for x in tins if (t := canonical_tin(x))), frozenset(str(n) for n in npis))

    def hold(self, group: Mapping[str, Any]) -> bool:
        tin = canonical_tin(str((group.get("tin") or {}).get("value") or "")) if group.get("tin") else None
        npis = {str(n) for n in group.get("npi") or ()}
        return (tin is not None and tin in self.tins) or bool(npis & self.npis)


def _references(document: Mapping[str, Any]) -> dict[Any, list[Mapping[str, Any]]]:
    out: dict[Any, list[Mapping[str, Any]]] = {}
    for reference in document.get("provider_references") or ():
        if isinstance(reference, Mapping):
            out[reference.get("provider_group_id")] = list(reference.get("provider_groups") or ())
    return out


def _ours(rate: Mapping[str, Any], references: dict[Any, list[Mapping[str, Any]]], ours: Providers) -> bool:
    groups = list(rate.get("provider_groups") or ())
    for reference in rate.get("provider_references") or ():
        groups += references.get(reference, [])
    return any(isinstance(g, Mapping) and ours.hold(g) for g in groups)


def _price(system: str, code: str, price: Mapping[str, Any]) -> PublishedRate | str:
    kind = str(price.get("negotiated_type", "")).lower()
    if kind not in DOLLAR_TYPES:
        return f"{system} {code}: negotiated_type {kind or '(none)'} is not a dollar amount"
    try:
        rate = Decimal(str(price.get("negotiated_rate")))
    except InvalidOperation:
        return f"{system} {code}: negotiated_rate {price.get('negotiated_rate')!r} is not a number"
    service_codes = list(price.get("service_code") or ())
    return PublishedRate(
        system,
        code,
        tuple(str(m) for m in price.get("billing_code_modifier") or ()),
        str(price.get("billing_class") or "professional").lower(),
        str(service_codes[0]) if service_codes else None,
        rate.quantize(CENT),
    )


def _item(item: Mapping[str, Any], references: dict[Any, Any], ours: Providers, out: PublishedRates) -> None:
    system = str(item.get("billing_code_type", "")).upper()
    code = str(item.get("billing_code", ""))
    if str(item.get("negotiation_arrangement", "")).lower() != "ffs" or system not in CODE_TYPES:
        out.left_out.append(f"{system or '?'} {code or '?'}: not a fee-for-service CPT/HCPCS rate")
        return
    for rate in item.get("negotiated_rates") or ():
        if not _ours(rate, references, ours):
            out.other_providers += 1
            continue
        for price in rate.get("negotiated_prices") or ():
            found = _price(system, code, price)
            if isinstance(found, PublishedRate):
                out.rates.append(found)
            else:
                out.left_out.append(found)


def published_rates(document: Any, ours: Providers) -> PublishedRates:
    """Our published dollar rates in an in-network-rates document (parsed JSON)."""
    if not isinstance(document, Mapping) or not isinstance(document.get("in_network"), list):
        raise NotAnInNetworkFile("not an in-network-rates file: no in_network array")
    references = _references(document)
    out = PublishedRates()
    for item in document["in_network"]:
        if isinstance(item, Mapping):
            _item(item, references, ours, out)
    return out


@dataclass(frozen=True, slots=True)
class RateDifference:
    rate: PublishedRate
    contract: Decimal

    @property
    def difference(self) -> Decimal:
        """Published minus contract: negative, the payer loaded less than it agreed."""
        return self.rate.rate - self.contract


def differences(
    rates: Iterable[PublishedRate], contract: Mapping[PublishedRate, Decimal | None]
) -> tuple[list[RateDifference], list[PublishedRate]]:
    """Every published rate the contract prices otherwise (to the cent), and those it does not price."""
    differ, unpriced = [], []
    for rate in rates:
        expected = contract.get(rate)
        if expected is None:
            unpriced.append(rate)
        elif abs(rate.rate - expected) >= CENT:
            differ.append(RateDifference(rate, expected))
    return differ, unpriced
