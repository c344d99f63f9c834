"""Documents: upload (type allow-list, size limit, SHA-256, duplicates detected), link to a version."""

from __future__ import annotations

import codecs
import hashlib
import unicodedata
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from accord_common.auth import Principal
from accord_common.errors import NotFound, PayloadTooLarge, UnsupportedMediaType
from accord_common.uow import UnitOfWork
from sqlalchemy.exc import IntegrityError

from contract_registry.adapters.contract_codec import stored_versions
from contract_registry.adapters.contract_repository import ContractRepository
from contract_registry.adapters.document_repository import DocumentRepository
from contract_registry.adapters.document_store import DocumentStore
from contract_registry.handlers.common import audit, utcnow

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ALLOWED_TYPES: dict[str, tuple[bytes, ...]] = {
    "application/pdf": (b"%PDF-",),
    DOCX: (b"PK\x03\x04",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/tiff": (b"II*\x00", b"MM\x00*"),
    "text/plain": (),
}
"""Allowed content types and the magic bytes their files start with (text/plain: valid UTF-8)."""
UPLOAD_TYPES = ("text/plain; charset=utf-8", *(kind for kind in ALLOWED_TYPES if kind != "text/plain"))
"""The types the OpenAPI document lists for the file part (text first: the document's example is text)."""
_TEXT_CONTROLS = frozenset("\t\n\r\f")
FILENAME_LENGTH = 255


def stored_filename(filename: str) -> str:
    """The name as kept: control characters (a line feed) become spaces, and a name longer than the
    column keeps its extension and as much of its start as fits."""
    name = "".join(" " if unicodedata.category(c) == "Cc" else c for c in filename).strip() or "document"
    if len(name) <= FILENAME_LENGTH:
        return name
    stem, dot, extension = name.rpartition(".")
    if not dot or len(extension) > 16:
        return name[:FILENAME_LENGTH]
    return stem[: FILENAME_LENGTH - len(extension) - 1] + "." + extension


@dataclass(slots=True)
class _Measured:
    """Passes chunks through while counting and hashing them; refuses past the size limit."""

    limit: int
    text: bool = False
    size: int = 0
    digest: hashlib._Hash = field(default_factory=hashlib.sha256)
    head: bytes = b""
    decoder: codecs.IncrementalDecoder = field(
        default_factory=lambda: codecs.getincrementaldecoder("utf-8")()
    )

    async def through(self, chunks: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
        async for chunk in chunks:
            self.size += len(chunk)
            if self.size > self.limit:
                raise PayloadTooLarge(f"the document exceeds the limit of {self.limit} bytes")
            self.digest.update(chunk)
            if len(self.head) < 16:
                self.head += chunk[: 16 - len(self.head)]
            if self.text:
                self._check_text(chunk, final=False)
            yield chunk
        if self.text:
            self._check_text(b"", final=True)

    def _check_text(self, chunk: bytes, *, final: bool) -> None:
        """text/plain is UTF-8 with no control characters but tab, line and page breaks (an ELF or
        MZ executable declared as text is refused)."""
        try:
            decoded = self.decoder.decode(chunk, final)
        except UnicodeDecodeError:
            raise UnsupportedMediaType("the file's content is not text/plain (not UTF-8)")
        if any(c not in _TEXT_CONTROLS and unicodedata.category(c) == "Cc" for c in decoded):
            raise UnsupportedMediaType("the file's content is not text/plain (it has control characters)")


def check_declared_type(content_type: str) -> str:
    """Refuse types outside the allow-list; returns the bare type (no parameters)."""
    base = content_type.split(";")[0].strip().lower()
    if base not in ALLOWED_TYPES:
        allowed = ", ".join(sorted(ALLOWED_TYPES))
        raise UnsupportedMediaType(f"{base or 'no content type'} is not accepted (allowed: {allowed})")
    return base


def check_content_type(content_type: str, head: bytes) -> None:
    """Refuse files whose first bytes are not of their declared type (a .exe renamed .pdf)."""
    base = check_declared_type(content_type)
    magic = ALLOWED_TYPES[base]
    if magic and not head.startswith(magic):
        raise UnsupportedMediaType(f"the file's content is not {base}")


@dataclass(frozen=True, slots=True)
class Uploaded:
    """The document holding the bytes; `already_stored` when they were uploaded before."""

    document_id: str
    already_stored: bool = False


async def upload(
    uow: UnitOfWork,
    who: Principal,
    store: DocumentStore,
    *,
    filename: str,
    content_type: str,
    chunks: AsyncIterator[bytes],
    max_bytes: int,
) -> Uploaded:
    """Store the bytes, then record them; the same bytes uploaded again in the organisation are
    not stored twice: the existing document is answered (and the new copy deleted)."""
    base = check_declared_type(content_type)  # cheap, before reading anything
    document_id, now = str(uuid.uuid4()), utcnow()
    key = f"{who.organization_id}/{document_id}"
    measured = _Measured(max_bytes, text=base == "text/plain")
    try:
        await store.put(key, measured.through(chunks))
        check_content_type(content_type, measured.head)
        values = {
            "id": document_id,
            "filename": stored_filename(filename),
            "content_type": base,
            "size_bytes": measured.size,
            "sha256": measured.digest.hexdigest(),
            "storage_key": key,
            "uploaded_at": now,
            "uploaded_by": who.name,
        }
        recorded = await _record(uow, who, values)
    except BaseException:
        await store.delete(key)
        raise
    if recorded != document_id:
        await store.delete(key)
    return Uploaded(recorded, already_stored=recorded != document_id)


async def _record(uow: UnitOfWork, who: Principal, values: dict[str, Any]) -> str:
    """The id of the document holding these bytes: the new one, or the one recorded before."""
    try:
        async with uow:
            repo = DocumentRepository(uow.session, who.organization_id)
            existing = await repo.by_hash(values["sha256"])
            if existing is not None:
                return str(existing.id)
            await repo.add(values)
            changes = {k: values[k] for k in ("filename", "size_bytes", "sha256")}
            await audit(
                uow,
                who,
                "document.uploaded",
                entity="document",
                entity_id=values["id"],
                changes=changes,
                at=values["uploaded_at"],
            )
            await uow.commit()
    except IntegrityError:  # the same bytes were recorded concurrently (uq_documents_org_sha256)
        async with uow:
            existing = await DocumentRepository(uow.session, who.organization_id).by_hash(values["sha256"])
        if existing is None:
            raise
        return str(existing.id)
    return str(values["id"])


async def link(
    uow: UnitOfWork, who: Principal, contract_id: str, document_id: str, version: int | None
) -> int:
    """Link a document to a version of the contract (default: its latest version)."""
    now = utcnow()
    async with uow:
        contract = await ContractRepository(uow.session, who.organization_id).get(contract_id)
        documents = DocumentRepository(uow.session, who.organization_id)
        await documents.get(document_id)
        numbers = [v.number for v in stored_versions(contract, now.date())]
        number = version if version is not None else numbers[-1]
        if number not in numbers:
            raise NotFound(f"contract {contract_id} has no version {number}")
        if not await documents.linked(document_id, contract_id, number):
            await documents.link(
                {
                    "document_id": document_id,
                    "contract_id": contract_id,
                    "version": number,
                    "linked_at": now,
                    "linked_by": who.name,
                }
            )
            await audit(
                uow,
                who,
                "document.linked",
                entity="document",
                entity_id=document_id,
                contract_id=contract_id,
                changes={"version": number},
                at=now,
            )
        await uow.commit()
    return number
