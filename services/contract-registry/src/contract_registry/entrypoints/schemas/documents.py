"""Documents and their links to contract versions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from contract_registry.handlers.documents import ALLOWED_TYPES, UPLOAD_TYPES

FILE_DESCRIPTION = (
    "The document: its part's Content-Type is one the encoding lists (pdf, docx, png, jpeg, tiff, "
    "UTF-8 text) and its content is of that type: a PDF starts with %PDF-, a docx with PK\\x03\\x04 "
    "(a ZIP), a PNG, JPEG or TIFF with its signature; text is UTF-8 with no control characters but "
    "tab, line feed, carriage return and form feed. Anything else is refused (415)."
)


def document_upload_body() -> dict[str, Any]:
    """openapi_extra for POST /v1/documents: an example, and the media types the file part may
    declare (the multipart `encoding`), so a generated client sends one of them."""
    return {
        "requestBody": {
            "content": {
                "multipart/form-data": {
                    "example": {"file": "Amendment 2: prompt-pay interest 18% a year from 2026-07-01."},
                    "encoding": {"file": {"contentType": ", ".join(UPLOAD_TYPES)}},
                }
            }
        }
    }


def download_content() -> dict[str, Any]:
    """The download's media types: the type the document was uploaded as (text as UTF-8)."""
    binary = {"schema": {"type": "string", "format": "binary"}}
    return {("text/plain; charset=utf-8" if kind == "text/plain" else kind): binary for kind in ALLOWED_TYPES}


class DocumentOut(BaseModel):
    id: str
    filename: str
    content_type: str
    size_bytes: int
    sha256: str
    uploaded_at: datetime
    uploaded_by: str
    already_stored: bool = Field(
        default=False,
        description="On upload: true when the same bytes (SHA-256) were uploaded before in the "
        "organisation; this is that document (200), and the new copy was not kept",
    )


class LinkedDocumentOut(DocumentOut):
    version: int
    linked_at: datetime


class LinkDocumentIn(BaseModel):
    """Link an uploaded document to a version of the contract (default: the latest version)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"document_id": "9a7e4c1d-51b2-4e0f-8d3a-2c6b7f1e0a94", "version": 2}]
        },
    )

    document_id: str
    version: int | None = Field(default=None, ge=1)


class AuditEntryOut(BaseModel):
    id: int
    contract_id: str | None
    entity: str
    entity_id: str
    actor: str
    actor_key_id: str | None = None
    action: str
    at: datetime
    changes: dict[str, object]
    comment: str | None
