"""What changed between two versions, field by field, and between two fee schedules, row by row."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .fee_schedule import BaseKey, FeeScheduleRow
from .json_codec import to_json
from .serialisation import version_to_dict
from .versions import ContractVersion

Scalar = str | int | bool | None


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One field that differs; `old` is None when added, `new` is None when removed."""

    field: str
    old: Scalar
    new: Scalar

    def __str__(self) -> str:
        return f"{self.field}: {self.old} -> {self.new}"


def diff_versions(old: ContractVersion, new: ContractVersion) -> tuple[FieldChange, ...]:
    """Every field whose value differs, by path ("payment_terms[Professional].methodology.percent").

    Lists of named things (payment terms, carve-outs, measures) are matched by name, so
    reordering them is not a change; other lists are matched by position.
    """
    before = _flatten(version_to_dict(old))
    after = _flatten(version_to_dict(new))
    before.pop("version", None)
    after.pop("version", None)
    return tuple(
        FieldChange(path, before.get(path), after.get(path))
        for path in sorted(before.keys() | after.keys())
        if before.get(path) != after.get(path)
    )


def _flatten(value: Any, path: str = "") -> dict[str, Scalar]:
    if isinstance(value, dict):
        flat: dict[str, Scalar] = {}
        for key, item in value.items():
            flat.update(_flatten(item, f"{path}.{key}" if path else key))
        return flat
    if isinstance(value, list):
        flat = {}
        for index, item in enumerate(value):
            label = item["name"] if isinstance(item, dict) and "name" in item else str(index)
            flat.update(_flatten(item, f"{path}[{label}]"))
        return flat if flat else {path: None}
    return {path: value}


@dataclass(frozen=True, slots=True)
class RowChange:
    """A rate present in both schedules whose terms differ."""

    old: FeeScheduleRow
    new: FeeScheduleRow
    changes: tuple[FieldChange, ...]

    def __str__(self) -> str:
        described = "; ".join(str(change) for change in self.changes)
        return f"{self.new.describe_key()}: {described}"


@dataclass(frozen=True, slots=True)
class FeeScheduleDiff:
    added: tuple[FeeScheduleRow, ...]
    removed: tuple[FeeScheduleRow, ...]
    changed: tuple[RowChange, ...]

    @property
    def unchanged(self) -> bool:
        return not (self.added or self.removed or self.changed)


def diff_fee_schedules(
    old_rows: Iterable[FeeScheduleRow], new_rows: Iterable[FeeScheduleRow]
) -> FeeScheduleDiff:
    """Rows matched by code, modifiers, POS and setting (several dated rows: in date order)."""
    before, after = _by_base_key(old_rows), _by_base_key(new_rows)
    added: list[FeeScheduleRow] = []
    removed: list[FeeScheduleRow] = []
    changed: list[RowChange] = []
    for key in sorted(before.keys() | after.keys(), key=repr):
        olds, news = before.get(key, []), after.get(key, [])
        for old, new in zip(olds, news, strict=False):
            changes = _row_changes(old, new)
            if changes:
                changed.append(RowChange(old, new, changes))
        removed.extend(olds[len(news) :])
        added.extend(news[len(olds) :])
    return FeeScheduleDiff(tuple(added), tuple(removed), tuple(changed))


def _by_base_key(rows: Iterable[FeeScheduleRow]) -> dict[BaseKey, list[FeeScheduleRow]]:
    grouped: dict[BaseKey, list[FeeScheduleRow]] = {}
    for row in rows:
        grouped.setdefault(row.base_key, []).append(row)
    for group in grouped.values():
        group.sort(key=lambda row: row.effective_from)
    return grouped


_ROW_TERMS = ("rate_kind", "unit", "amount", "percentage", "effective_from", "effective_to")


def _row_changes(old: FeeScheduleRow, new: FeeScheduleRow) -> tuple[FieldChange, ...]:
    changes = []
    for name in _ROW_TERMS:
        before, after = getattr(old, name), getattr(new, name)
        if before != after:
            changes.append(FieldChange(name, _scalar(before), _scalar(after)))
    return tuple(changes)


def _scalar(value: object) -> Scalar:
    encoded = to_json(value)
    assert not isinstance(encoded, list | dict)
    return encoded
