"""The composition root: settings, runtime, document store and app are wired here and nowhere else."""

from __future__ import annotations

from pathlib import Path

import httpx
from accord_common.keys.projection import key_usage_handlers
from accord_common.runtime import ServiceRuntime
from accord_common.web.app import create_app
from fastapi import FastAPI

from contract_registry.adapters.contract_views import CONTRACTS, ContractViews
from contract_registry.adapters.document_store import DocumentStore, LocalDocumentStore
from contract_registry.adapters.oidc_verifier import OidcVerifier
from contract_registry.adapters.orm import metadata
from contract_registry.config import RegistrySettings
from contract_registry.entrypoints.openapi_links import link_operations
from contract_registry.entrypoints.problems import install_domain_problems
from contract_registry.entrypoints.routers import (
    api_keys,
    audit,
    contracts,
    documents,
    fee_schedule_xlsx,
    fee_schedules,
    lifecycle,
    parties,
    sign_in,
)

SERVICE_ROOT = Path(__file__).resolve().parents[2]
ROUTERS = [
    parties.router,
    contracts.router,
    lifecycle.router,
    fee_schedules.router,
    fee_schedule_xlsx.router,
    documents.router,
    audit.router,
    api_keys.router,
    sign_in.router,
]


def build_runtime(settings: RegistrySettings | None = None) -> ServiceRuntime:
    return ServiceRuntime(
        settings=settings or RegistrySettings(),
        metadata=metadata,
        service_root=SERVICE_ROOT,
        handlers=key_usage_handlers(),
    )


def build_app(settings: RegistrySettings | None = None, store: DocumentStore | None = None) -> FastAPI:
    settings = settings or RegistrySettings()
    runtime = build_runtime(settings)
    app = create_app(
        runtime,
        ROUTERS,
        title="Accord contract registry",
        description="Payer contracts as data: parties, immutable effective-dated versions, "
        "fee schedules, payment terms, approvals, documents and the audit trail. "
        "Every endpoint needs an API key (Authorization: Bearer acc_...) and sees only its "
        "organisation's data: another organisation's contract answers 404.",
    )
    app.state.document_store = store or LocalDocumentStore(settings.documents_dir)
    views = ContractViews(usable=runtime.wakeups.reach_every_process)
    runtime.wakeups.on(CONTRACTS, views.clear)  # a contract changed in any worker: answer afresh
    app.state.contract_views = views
    app.state.oidc_verifier = OidcVerifier(httpx.AsyncClient(timeout=10.0, follow_redirects=False))
    install_domain_problems(app)
    link_operations(app)
    return app
