"""Dependencies of the registry's routes beyond accord_common's (the document store, settings, the
contracts' answers kept in memory).
Async, so FastAPI calls them in the event loop, not in a worker thread."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request

from contract_registry.adapters.contract_views import ContractViews
from contract_registry.adapters.document_store import DocumentStore
from contract_registry.config import RegistrySettings


async def get_store(request: Request) -> DocumentStore:
    store: DocumentStore = request.app.state.document_store
    return store


async def get_views(request: Request) -> ContractViews:
    views: ContractViews = request.app.state.contract_views
    return views


async def get_settings(request: Request) -> RegistrySettings:
    settings = request.app.state.runtime.settings
    assert isinstance(settings, RegistrySettings)
    return settings


Store = Annotated[DocumentStore, Depends(get_store)]
Settings = Annotated[RegistrySettings, Depends(get_settings)]
Views = Annotated[ContractViews, Depends(get_views)]

PayerId = Annotated[str, Path(description="The payer's id, as returned when it was registered.")]
ContractId = Annotated[str, Path(description="The contract's id, as returned when it was created.")]
ScheduleId = Annotated[str, Path(description="The fee schedule's id, as returned when it was imported.")]
DocumentId = Annotated[str, Path(description="The document's id, as returned when it was uploaded.")]
