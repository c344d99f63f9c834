"""Dependencies of the registry's routes beyond accord_common's (the document store, settings)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from contract_registry.adapters.document_store import DocumentStore
from contract_registry.config import RegistrySettings


def get_store(request: Request) -> DocumentStore:
    store: DocumentStore = request.app.state.document_store
    return store


def get_settings(request: Request) -> RegistrySettings:
    settings = request.app.state.runtime.settings
    assert isinstance(settings, RegistrySettings)
    return settings


Store = Annotated[DocumentStore, Depends(get_store)]
Settings = Annotated[RegistrySettings, Depends(get_settings)]
