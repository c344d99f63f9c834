"""The decoded terms and versions of contracts read lately, per process, for the read path.

Decoding a contract's versions from their JSON rows is most of the cost of reading it as of a date.
An entry is keyed by the contract's id, organisation, `revision`, `status` and `updated_at`: every
write to a contract or its versions goes through ContractRepository.add/save, which sets them on the
contract's row in the same transaction (every change of the terms or versions records an event, which
counts `revision` up; activation changes `status`), so an entry can only ever be asked for with the
row it was decoded with; a changed contract is a new key (nothing to invalidate, never stale). The
row itself is read on every request (status, approvals, the organisation scope). Bounded: the least
recently used entry goes first. Views use it (ContractRepository.read), and so does a handler that
reads a contract under lock to change it (ContractRepository.get(for_update=True)): the decoded
values are frozen, each use assembles its own aggregate from them. ContractRepository.save puts the
state it wrote, so the view answered after a change is not decoded again."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

from contract_registry.adapters.contract_codec import DecodedParts

MAX_CONTRACTS = 1024


class DecodedContracts:
    def __init__(self, max_entries: int = MAX_CONTRACTS) -> None:
        self._max = max_entries
        self._entries: OrderedDict[Hashable, DecodedParts] = OrderedDict()

    @staticmethod
    def key(row: Any) -> Hashable:
        return (row.id, row.organization_id, row.revision, row.status, row.updated_at)

    def get(self, row: Any) -> DecodedParts | None:
        key = self.key(row)
        parts = self._entries.get(key)
        if parts is not None:
            self._entries.move_to_end(key)
        return parts

    def put(self, row: Any, parts: DecodedParts) -> None:
        self._entries[self.key(row)] = parts
        while len(self._entries) > self._max:
            self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)


DECODED = DecodedContracts()
"""This process's cache (each uvicorn worker has its own)."""
