"""Documents: upload, metadata, download, and links to contract versions."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any

from accord_common.auth import Principal
from accord_common.web.deps import Requires, Runtime
from accord_common.web.download import content_disposition
from fastapi import APIRouter, File, Response, UploadFile, status
from fastapi.responses import StreamingResponse

from contract_registry.adapters.contract_repository import ContractRepository
from contract_registry.adapters.document_repository import DocumentRepository
from contract_registry.entrypoints.deps import ContractId, DocumentId, Settings, Store
from contract_registry.entrypoints.schemas.documents import (
    FILE_DESCRIPTION,
    DocumentOut,
    LinkDocumentIn,
    LinkedDocumentOut,
    document_upload_body,
    download_content,
)
from contract_registry.entrypoints.upload_limit import UploadLimitedRoute
from contract_registry.handlers import documents

router = APIRouter(prefix="/v1", tags=["documents"], route_class=UploadLimitedRoute)
CHUNK = 64 * 1024


async def _chunks(upload: UploadFile) -> AsyncIterator[bytes]:
    while chunk := await upload.read(CHUNK):
        yield chunk


async def _document(rt: Runtime, org: str, document_id: str) -> Any:
    async with rt.sessions() as session:
        return await DocumentRepository(session, org).get(document_id)


@router.post(
    "/documents",
    status_code=status.HTTP_201_CREATED,
    response_model=DocumentOut,
    summary="Upload a document",
    openapi_extra=document_upload_body(),
    responses={
        200: {"description": "The same bytes were uploaded before: that document, already_stored: true"},
        413: {"description": "Larger than the configured limit (named in the problem)"},
        415: {
            "description": "The part's type is not one the encoding lists, or its content is not of "
            "that type (not the type's signature; text/plain not UTF-8 text)"
        },
    },
)
async def upload(
    file: Annotated[UploadFile, File(description=FILE_DESCRIPTION)],
    who: Annotated[Principal, Requires("contracts:write")],
    rt: Runtime,
    store: Store,
    settings: Settings,
    response: Response,
) -> Any:
    """Store a contract document; its SHA-256 is recorded. A duplicate (the same bytes again) is
    detected: the existing document is answered with 200 and `already_stored: true`."""
    uploaded = await documents.upload(
        rt.uow(),
        who,
        store,
        filename=file.filename or "document",
        content_type=file.content_type or "",
        chunks=_chunks(file),
        max_bytes=settings.max_upload_bytes,
    )
    if uploaded.already_stored:
        response.status_code = status.HTTP_200_OK
    row = await _document(rt, who.organization_id, uploaded.document_id)
    return {**row._asdict(), "already_stored": uploaded.already_stored}


@router.get("/documents/{document_id}", response_model=DocumentOut, summary="Get a document's metadata")
async def get_document(
    document_id: DocumentId, who: Annotated[Principal, Requires("contracts:read")], rt: Runtime
) -> Any:
    """File name, type, size, SHA-256, who uploaded it and when."""
    return (await _document(rt, who.organization_id, document_id))._asdict()


@router.get(
    "/documents/{document_id}/content",
    summary="Download a document",
    response_class=StreamingResponse,
    responses={200: {"content": download_content(), "description": "The stored bytes, as their type"}},
)
async def download(
    document_id: DocumentId, who: Annotated[Principal, Requires("contracts:read")], rt: Runtime, store: Store
) -> StreamingResponse:
    """The bytes as uploaded (the X-Content-SHA256 header repeats the recorded hash), named by an
    RFC 6266 Content-Disposition (filename* carries the UTF-8 name), never sniffed (nosniff)."""
    row = await _document(rt, who.organization_id, document_id)
    headers = {
        "Content-Disposition": content_disposition(row.filename),
        "X-Content-SHA256": row.sha256,
        "Content-Length": str(row.size_bytes),
        "X-Content-Type-Options": "nosniff",
    }
    return StreamingResponse(store.read(row.storage_key), media_type=row.content_type, headers=headers)


@router.post(
    "/contracts/{contract_id}/documents",
    status_code=status.HTTP_201_CREATED,
    response_model=list[LinkedDocumentOut],
    summary="Link a document to a version",
)
async def link(
    contract_id: ContractId,
    body: LinkDocumentIn,
    who: Annotated[Principal, Requires("contracts:write")],
    rt: Runtime,
) -> Any:
    """Attach an uploaded document to a version of the contract (default: the latest)."""
    await documents.link(rt.uow(), who, contract_id, body.document_id, body.version)
    return await contract_documents(contract_id, who, rt)


@router.get(
    "/contracts/{contract_id}/documents",
    response_model=list[LinkedDocumentOut],
    summary="A contract's documents",
)
async def contract_documents(
    contract_id: ContractId, who: Annotated[Principal, Requires("contracts:read")], rt: Runtime
) -> Any:
    """Documents linked to the contract's versions."""
    async with rt.sessions() as session:
        await ContractRepository(session, who.organization_id).row(contract_id)
        rows = await DocumentRepository(session, who.organization_id).for_contract(contract_id)
    return [r._asdict() for r in rows]
