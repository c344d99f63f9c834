"""The composition root: settings, runtime and app are wired here and nowhere else."""

from __future__ import annotations

from pathlib import Path

from accord_common.runtime import ServiceRuntime
from accord_common.web.app import create_app
from fastapi import FastAPI

from contract_registry.adapters.orm import metadata
from contract_registry.config import RegistrySettings
from contract_registry.entrypoints.api import router

SERVICE_ROOT = Path(__file__).resolve().parents[2]


def build_runtime(settings: RegistrySettings | None = None) -> ServiceRuntime:
    return ServiceRuntime(
        settings=settings or RegistrySettings(), metadata=metadata, service_root=SERVICE_ROOT
    )


def build_app(settings: RegistrySettings | None = None) -> FastAPI:
    return create_app(
        build_runtime(settings),
        [router],
        title="Accord contract registry",
        description="Payer contracts as data: parties, immutable effective-dated versions, "
        "fee schedules, payment terms, approvals, documents and the audit trail.",
    )
