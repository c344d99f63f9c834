"""The read path's cache of decoded contracts: keyed by the row's id, organisation, revision and
updated_at (a changed contract is a new key, never a stale answer), least recently used out first."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from contract_registry.adapters.contract_cache import DecodedContracts
from contract_registry.adapters.contract_codec import DecodedParts

AT = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def _row(
    contract_id: str = "c-1", org: str = "org-a", revision: int = 3, at: datetime = AT, status: str = "active"
) -> Any:
    return SimpleNamespace(
        id=contract_id, organization_id=org, revision=revision, status=status, updated_at=at
    )


def _parts(tag: str) -> DecodedParts:
    return tag, ()  # type: ignore[return-value]  # the cache keeps whatever it is given


def test_an_entry_answers_only_the_same_state_of_the_same_contract() -> None:
    cache = DecodedContracts()
    cache.put(_row(), _parts("v3"))
    assert cache.get(_row()) == _parts("v3")
    later = datetime(2026, 12, 2, 9, 0, 1, tzinfo=UTC)
    for other in (
        _row(revision=4),
        _row(at=later),
        _row(org="org-b"),
        _row(contract_id="c-2"),
        _row(status="terminated"),
    ):
        assert cache.get(other) is None


def test_the_least_recently_used_contract_goes_first() -> None:
    cache = DecodedContracts(max_entries=2)
    cache.put(_row("c-1"), _parts("one"))
    cache.put(_row("c-2"), _parts("two"))
    assert cache.get(_row("c-1")) is not None  # c-1 used: c-2 is now the oldest
    cache.put(_row("c-3"), _parts("three"))
    assert (len(cache), cache.get(_row("c-2")), cache.get(_row("c-1"))) == (2, None, _parts("one"))
