"""JSON-safe encoding of the domain's frozen dataclasses, read back with their type hints.

Decimal becomes a string (no float ever), dates ISO strings, enums their values, tuples lists.
Members of a union of dataclasses (methodologies, escalators) carry a "kind" tag.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any

from .errors import MalformedPayload
from .methodologies import METHODOLOGY_KINDS
from .payment_terms import AnniversaryEscalator, DatedEscalator

KINDS: dict[str, type[Any]] = {
    **METHODOLOGY_KINDS,
    "anniversary_escalator": AnniversaryEscalator,
    "dated_escalator": DatedEscalator,
}
_KIND_OF: dict[type[Any], str] = {cls: kind for kind, cls in KINDS.items()}

JsonValue = None | bool | int | str | list[Any] | dict[str, Any]


def to_json(value: object) -> JsonValue:
    """Encode a domain value (dataclass, Decimal, date, enum, tuple ...) as JSON-safe data."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return to_json(value.value)
    if isinstance(value, frozenset):
        return sorted(to_json(item) for item in value)
    if isinstance(value, tuple | list):
        return [to_json(item) for item in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _dataclass_to_json(value)
    raise TypeError(f"cannot encode {type(value).__name__} as JSON")


def _dataclass_to_json(value: Any) -> dict[str, Any]:
    encoded: dict[str, Any] = {}
    kind = _KIND_OF.get(type(value))
    if kind is not None:
        encoded["kind"] = kind
    for field in dataclasses.fields(value):
        if field.init and field.compare:
            encoded[field.name] = to_json(getattr(value, field.name))
    return encoded


def from_json(hint: Any, data: Any, path: str = "$") -> Any:
    """Decode `data` as the type `hint` (a dataclass, Decimal, date, X | None, tuple[X, ...] ...)."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return _union_from_json(typing.get_args(hint), data, path)
    if origin in (tuple, frozenset):
        if not isinstance(data, list):
            raise MalformedPayload(f"{path}: expected a list, got {data!r}")
        item_hint = typing.get_args(hint)[0]
        items = (from_json(item_hint, item, f"{path}[{i}]") for i, item in enumerate(data))
        return origin(items)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _dataclass_from_json(hint, data, path)
    return _scalar_from_json(hint, data, path)


def _union_from_json(options: tuple[Any, ...], data: Any, path: str) -> Any:
    if data is None and type(None) in options:
        return None
    candidates = [option for option in options if option is not type(None)]
    if len(candidates) == 1:
        return from_json(candidates[0], data, path)
    kind = data.get("kind") if isinstance(data, dict) else None
    chosen = KINDS.get(kind) if isinstance(kind, str) else None
    if chosen is None or chosen not in candidates:
        allowed = ", ".join(sorted(_KIND_OF[c] for c in candidates if c in _KIND_OF))
        raise MalformedPayload(f"{path}.kind: {kind!r} is not one of {allowed}")
    return from_json(chosen, data, path)


def _dataclass_from_json(cls: type[Any], data: Any, path: str) -> Any:
    if not isinstance(data, dict):
        raise MalformedPayload(f"{path}: expected an object for {cls.__name__}, got {data!r}")
    hints = _hints(cls)
    arguments: dict[str, Any] = {}
    for field in dataclasses.fields(cls):
        if not field.init:
            continue
        if field.name in data:
            arguments[field.name] = from_json(hints[field.name], data[field.name], f"{path}.{field.name}")
        elif field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING:
            raise MalformedPayload(f"{path}.{field.name}: required")
    return cls(**arguments)


def _scalar_from_json(hint: Any, data: Any, path: str) -> Any:
    try:
        if hint is Decimal and isinstance(data, str | int) and not isinstance(data, bool):
            return Decimal(data)
        if hint is date and isinstance(data, str):
            return date.fromisoformat(data)
        if isinstance(hint, type) and issubclass(hint, Enum):
            return hint(data)
    except (InvalidOperation, ValueError):
        pass
    else:
        if hint is bool and isinstance(data, bool):
            return data
        if hint in (int, str) and isinstance(data, hint) and not isinstance(data, bool):
            return data
    name = getattr(hint, "__name__", str(hint))
    raise MalformedPayload(f"{path}: {data!r} is not a valid {name}")


_HINTS: dict[type[Any], dict[str, Any]] = {}


def _hints(cls: type[Any]) -> dict[str, Any]:
    if cls not in _HINTS:
        _HINTS[cls] = typing.get_type_hints(cls)
    return _HINTS[cls]
