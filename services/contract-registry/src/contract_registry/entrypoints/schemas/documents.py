"""Documents and their links to contract versions."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


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
