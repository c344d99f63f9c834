"""Shared response shapes."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of results; pass next_cursor back as `cursor` for the next page (null: no more)."""

    items: list[T]
    next_cursor: str | None = None
