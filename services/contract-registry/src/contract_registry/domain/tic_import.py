"""Import of a payer's CMS Transparency in Coverage in-network-rates file (JSON, schema v2.x).

What is refused, and why (each refusal names the item and the reason):
- XML files (the retired v1 layout), files that are not valid JSON (the parser's reason and where)
  and files that are not in-network-rates JSON: whole file.
- negotiation_arrangement capitation: paid per member per month, not per code; record a
  CapitationTerm instead.
- billing_code_type other than CPT, HCPCS, RC, MS-DRG, APC (ICD, NDC, APR-DRG, CSTM-ALL ...),
  and the CSTM-00 "every code" billing code.
- negotiated rates whose provider_references cannot be resolved from the file's own
  provider_references (remote references by `location` must be fetched and inlined first).
- prices that fail a fee schedule rule (negative, 5,000%), expired before the import's
  effective date, or that clash with a price already imported for the same row.

Only rates for the organisation's providers are kept when a ProviderFilter is given; others are
counted, not refused. Payers' files are gigabytes, so the file is streamed (json_stream, numbers
as Decimal, never float) in two passes, since JSON does not order an object's members: the first
reads the whole file, checking its syntax and keeping only the top-level scalars and
provider_references; the second builds the in_network items one at a time. Memory is bounded by
the provider references and the rows produced, not by the file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import IO, Any

from .fee_schedule import FeeScheduleRow
from .json_stream import Container, JsonFile, MalformedJson
from .tic_mapping import MappedRow, Refused, code_system_of, rows_for_price


@dataclass(frozen=True, slots=True)
class ProviderFilter:
    """The organisation's TINs (EINs as written, "12-3456789") and NPIs."""

    tins: frozenset[str] = frozenset()
    npis: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class TicRefusal:
    """An in_network item (1-based) or one of its prices that did not become rows, and why."""

    item: int
    billing_code_type: str
    billing_code: str
    reason: str

    def __str__(self) -> str:
        return f"item {self.item} ({self.billing_code_type} {self.billing_code}): {self.reason}"


@dataclass(frozen=True, slots=True)
class TicImport:
    """The rows a file maps to, what was refused, or why the whole file was refused."""

    rows: tuple[FeeScheduleRow, ...]
    refusals: tuple[TicRefusal, ...] = ()
    file_refusal: str | None = None
    reporting_entity_name: str | None = None
    last_updated_on: date | None = None
    skipped_other_providers: int = 0

    @property
    def imported(self) -> bool:
        return self.file_refusal is None and bool(self.rows)

    @property
    def refusal_reason(self) -> str | None:
        """Why nothing was imported: the file-level reason, or every item's."""
        if self.imported:
            return None
        if self.file_refusal is not None:
            return self.file_refusal
        return "no item could be imported: " + "; ".join(str(r) for r in self.refusals)


def import_tic_in_network(
    source: IO[str] | IO[bytes] | str | bytes,
    *,
    effective_from: date | None = None,
    providers: ProviderFilter | None = None,
) -> TicImport:
    """Map an in-network-rates file to fee schedule rows from `effective_from`.

    `effective_from` defaults to the file's last_updated_on. A binary file that can seek (an
    upload spooled to disk) is streamed; other sources are read into memory first.
    """
    document = JsonFile(source)
    if document.first_character() == "<":
        return TicImport(
            (),
            file_refusal="XML in-network files (the retired v1 layout) are not "
            "supported: ask the payer for the JSON file of schema v2",
        )
    try:
        return _import_document(document, effective_from, providers)
    except MalformedJson as malformed:
        return TicImport((), file_refusal=f"not valid JSON: {malformed}")


_HEADER = frozenset({"reporting_entity_name", "last_updated_on", "provider_references", "in_network"})
_PROVIDER_REFERENCES = frozenset({"provider_references"})


def _import_document(
    document: JsonFile, effective_from: date | None, providers: ProviderFilter | None
) -> TicImport:
    # first pass: the whole file's syntax, its scalars and provider_references (in_network is skipped)
    header = {name: value for name, value in document.members(keep=_PROVIDER_REFERENCES) if name in _HEADER}
    if header.get("in_network") is not Container.ARRAY:
        return TicImport((), file_refusal="not an in-network-rates file: no in_network array")
    last_updated = _date_or_none(header.get("last_updated_on"))
    starts = effective_from or last_updated
    entity = header.get("reporting_entity_name")
    if starts is None:
        return TicImport(
            (), file_refusal="no effective date: the file has no last_updated_on, pass effective_from"
        )
    groups = _provider_groups(header.pop("provider_references", None))  # the raw list goes once grouped
    merger = _RowMerger()
    skipped = 0
    # second pass: one in_network item at a time
    for number, item in enumerate(document.array_items("in_network"), start=1):
        skipped += _import_item(number, item, starts, groups, providers, merger)
    return TicImport(
        tuple(merged.row for merged in merger.rows.values()),
        tuple(merger.refusals),
        reporting_entity_name=str(entity) if entity is not None else None,
        last_updated_on=last_updated,
        skipped_other_providers=skipped,
    )


ProviderGroup = tuple[str, frozenset[int]]
Refuse = Callable[[str], None]


def _provider_groups(references: object) -> dict[int, list[ProviderGroup]]:
    """provider_group_id -> (TIN, NPIs) of each group; remote (location) references are left out."""
    groups: dict[int, list[ProviderGroup]] = {}
    for reference in references if isinstance(references, list) else ():
        if not isinstance(reference, dict) or "provider_groups" not in reference:
            continue
        groups[reference.get("provider_group_id", -1)] = _groups_of(reference["provider_groups"])
    return groups


def _groups_of(provider_groups: Iterable[dict[str, Any]]) -> list[ProviderGroup]:
    return [
        (str((group.get("tin") or {}).get("value", "")), frozenset(group.get("npi") or ()))
        for group in provider_groups
    ]


def _import_item(
    number: int,
    item: object,
    starts: date,
    groups: dict[int, list[ProviderGroup]],
    providers: ProviderFilter | None,
    merger: _RowMerger,
) -> int:
    """Map one in_network item into the merger; returns the rates skipped as other providers'."""
    if not isinstance(item, dict):
        merger.refuser(number, {})("an in_network item must be an object")
        return 0
    refuse = merger.refuser(number, item)
    arrangement = str(item.get("negotiation_arrangement", "")).lower()
    try:
        _check_arrangement(arrangement)
        system, code = code_system_of(item)
    except Refused as refused:
        refuse(str(refused))
        return 0
    skipped = 0
    for rate_number, rate in enumerate(item.get("negotiated_rates") or [], start=1):
        where = f"negotiated_rates[{rate_number}]"
        try:
            if not _for_our_providers(rate, groups, providers):
                skipped += 1
                continue
        except Refused as refused:
            refuse(f"{where}: {refused}")
            continue
        for price_number, price in enumerate(rate.get("negotiated_prices") or [], start=1):
            try:
                mapped = rows_for_price(system, code, arrangement == "bundle", price, starts)
            except Refused as refused:
                refuse(f"{where}.negotiated_prices[{price_number}]: {refused}")
                continue
            merger.add(refuse, mapped)
    return skipped


def _check_arrangement(arrangement: str) -> None:
    if arrangement == "capitation":
        raise Refused(
            "capitation is paid per member per month, not per code: record a CapitationTerm instead"
        )
    if arrangement not in ("ffs", "bundle"):
        raise Refused(f"negotiation_arrangement {arrangement or '(none)'} is not ffs/bundle")


def _for_our_providers(
    rate: dict[str, Any], groups: dict[int, list[ProviderGroup]], providers: ProviderFilter | None
) -> bool:
    resolved = _groups_of(rate.get("provider_groups") or [])
    references = rate.get("provider_references") or []
    unresolved = [reference for reference in references if reference not in groups]
    if unresolved:
        raise Refused(
            f"provider_references {unresolved} are not resolved: the file lists no such "
            "provider_group_id (fetch remote provider references and inline them first)"
        )
    for reference in references:
        resolved.extend(groups[reference])
    if providers is None:
        return True
    return any(tin in providers.tins or npis & providers.npis for tin, npis in resolved)


def _date_or_none(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


class _RowMerger:
    """Keeps one row per key: a negotiated price beats a fee schedule price beats a derived one."""

    def __init__(self) -> None:
        self.rows: dict[tuple[object, ...], MappedRow] = {}
        self.refusals: list[TicRefusal] = []

    def refuser(self, number: int, item: dict[str, Any]) -> Refuse:
        code_type = str(item.get("billing_code_type", ""))
        code = str(item.get("billing_code", ""))

        def refuse(reason: str) -> None:
            self.refusals.append(TicRefusal(number, code_type, code, reason))

        return refuse

    def add(self, refuse: Refuse, mapped_rows: list[MappedRow]) -> None:
        for mapped in mapped_rows:
            kept = self.rows.setdefault(mapped.row.key, mapped)
            if kept is mapped or kept.row == mapped.row:
                continue
            if mapped.precedence < kept.precedence:
                self.rows[mapped.row.key] = mapped
                mapped, kept = kept, mapped
            refuse(_clash(mapped, kept))


def _clash(loser: MappedRow, kept: MappedRow) -> str:
    key = loser.row.describe_key()
    if loser.precedence > kept.precedence:
        return f"{loser.negotiated_type} price for {key} superseded by the {kept.negotiated_type} price"
    return (
        f"{loser.negotiated_type} price for {key} conflicts with one already imported "
        "(provider groups with different rates: pass a ProviderFilter)"
    )
