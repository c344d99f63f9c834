"""Where documents' bytes live: a protocol (an S3-compatible store can implement it) and local disk."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterable, AsyncIterator
from pathlib import Path
from typing import Protocol

CHUNK = 64 * 1024


class DocumentStore(Protocol):
    """Put, read and delete blobs by key (keys look like "<organisation>/<document id>")."""

    async def put(self, key: str, chunks: AsyncIterable[bytes]) -> None: ...

    def read(self, key: str) -> AsyncIterator[bytes]: ...

    async def delete(self, key: str) -> None: ...


class LocalDocumentStore:
    """Files under a directory; written to a temporary name, then renamed, so readers never see half."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root.resolve() not in path.parents:
            raise ValueError(f"document key {key!r} escapes the store")
        return path

    async def put(self, key: str, chunks: AsyncIterable[bytes]) -> None:
        path = self._path(key)
        await asyncio.to_thread(path.parent.mkdir, parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.{uuid.uuid4().hex}.part")
        try:
            with partial.open("wb") as out:
                async for chunk in chunks:
                    await asyncio.to_thread(out.write, chunk)
            await asyncio.to_thread(os.replace, partial, path)
        finally:
            partial.unlink(missing_ok=True)

    async def read(self, key: str) -> AsyncIterator[bytes]:
        with self._path(key).open("rb") as source:
            while chunk := await asyncio.to_thread(source.read, CHUNK):
                yield chunk

    async def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)
