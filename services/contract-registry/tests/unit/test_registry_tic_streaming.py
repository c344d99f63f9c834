"""A TiC in-network file is streamed: memory follows the rows kept, not the file; the order of its
members does not matter; numbers stay Decimal; a broken file is refused saying where.

Peak memory is measured with tracemalloc (no wall-clock assertions).
"""

from __future__ import annotations

import io
import tracemalloc
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from contract_registry.domain import ProviderFilter, TicImport, import_tic_in_network
from tic_files import FIRST_CODE, OUR_TIN, in_network_file, our_rate

OURS = ProviderFilter(tins=frozenset({OUR_TIN}))


def test_a_20000_item_file_imports_in_memory_well_below_its_size(tmp_path: Path) -> None:
    # every code priced for two other groups, every tenth for ours; provider_references come last
    path = tmp_path / "in-network.json"
    path.write_bytes(in_network_file(20_000, other_groups=2, ours_every=10, references_last=True))
    size = path.stat().st_size
    tracemalloc.start()
    try:
        with path.open("rb") as stream:
            result = import_tic_in_network(stream, providers=OURS)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (len(result.rows), result.skipped_other_providers, result.refusals) == (2_000, 40_000, ())
    # parsed whole, the file would take several times its size; streamed, the 2,000 rows dominate
    assert peak < size / 4, f"peak {peak / 1e6:.1f} MB for a {size / 1e6:.1f} MB file"


@pytest.mark.parametrize(
    ("providers", "rows", "skipped"),
    [(OURS, 100, 600), (None, 300, 0)],  # without a filter other groups' rates clash and are refused
)
def test_provider_references_after_in_network_give_the_same_rows(
    providers: ProviderFilter | None, rows: int, skipped: int
) -> None:
    file = in_network_file(300, other_groups=2, ours_every=3)
    first = import_tic_in_network(file, providers=providers)
    last = import_tic_in_network(
        in_network_file(300, other_groups=2, ours_every=3, references_last=True), providers=providers
    )
    assert (len(first.rows), first.skipped_other_providers) == (rows, skipped)
    assert last == first  # the same rows, refusals and counts


def test_provider_references_after_in_network_resolve_the_filter() -> None:
    result = import_tic_in_network(in_network_file(3, other_groups=1, references_last=True), providers=OURS)
    assert [(row.code, row.amount) for row in result.rows] == [
        (str(FIRST_CODE + n), Decimal(our_rate(n))) for n in range(3)
    ]
    assert result.skipped_other_providers == 3


class _Pipe(io.RawIOBase):
    """A stream that cannot seek, like a socket."""

    def __init__(self, content: bytes) -> None:
        self._content = io.BytesIO(content)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._content.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


@pytest.mark.parametrize(
    "as_source",
    [
        pytest.param(lambda content: content, id="bytes"),
        pytest.param(lambda content: content.decode(), id="str"),
        pytest.param(io.BytesIO, id="binary file"),
        pytest.param(lambda content: io.StringIO(content.decode()), id="text file"),
        pytest.param(_Pipe, id="unseekable stream"),
        pytest.param(lambda content: b"\xef\xbb\xbf  \n" + content, id="byte order mark"),
    ],
)
def test_every_kind_of_source_gives_the_same_rows(as_source: Callable[[bytes], Any]) -> None:
    content = in_network_file(20, other_groups=1, references_last=True)
    expected = import_tic_in_network(io.BytesIO(content))
    assert len(expected.rows) == 20
    assert import_tic_in_network(as_source(content)) == expected


@pytest.mark.parametrize("rate", ["123.456789", "0.000001", "1.5E+2", "88.950"])
def test_rates_stay_decimal_with_every_digit(rate: str) -> None:
    [row] = import_tic_in_network(in_network_file(1, rate=rate)).rows
    assert isinstance(row.amount, Decimal) and row.amount == Decimal(rate)
    assert str(row.amount) == str(Decimal(rate))  # the digits as written, no float rounding


def truncated(content: bytes, at: bytes) -> bytes:
    return content[: content.index(at) + len(at)]


@pytest.mark.parametrize("references_last", [False, True])
def test_a_file_cut_in_the_middle_of_in_network_is_refused_saying_where(references_last: bool) -> None:
    content = truncated(in_network_file(50, references_last=references_last), b'"billing_code":"10037"')
    result = import_tic_in_network(io.BytesIO(content))
    assert result == TicImport((), file_refusal=result.refusal_reason)  # no rows, no item refusals
    assert result.refusal_reason == (
        f"not valid JSON: parse error: premature EOF: the file ends after {len(content):,} bytes, "
        "in in_network item 38"
    )


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b'{"in_network": [{"a": 1} {"b": 2}]}', "in in_network item 1, near "),
        (b'{"last_updated_on": "2025-01-01", "in_network": [], "version": 2.0.0}', "in version, near "),
        (b'{"in_network": []} trailing', "parse error: trailing garbage, after the top-level value"),
        (b"{not json", "lexical error: invalid string in json text, in the top-level object"),
        (b"[1, 2", "premature EOF: the file ends after 5 bytes, in the top-level array"),
        (b"", "premature EOF: the file ends after 0 bytes, at the start of the file"),
    ],
)
def test_invalid_json_is_refused_naming_the_problem_and_where(content: bytes, reason: str) -> None:
    result = import_tic_in_network(content)
    assert (result.rows, result.refusals) == ((), ())
    assert (result.refusal_reason or "").startswith("not valid JSON: ")
    assert reason in (result.refusal_reason or "")


def test_an_item_that_is_not_an_object_is_refused() -> None:
    content = b'{"last_updated_on": "2025-01-01", "in_network": [5]}'
    [refusal] = import_tic_in_network(content).refusals
    assert (refusal.item, refusal.reason) == (1, "an in_network item must be an object")
