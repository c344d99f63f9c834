"""The composition root: settings, caches, runtime and app are wired here and nowhere else."""

from __future__ import annotations

import gc
from datetime import timedelta
from pathlib import Path

from accord_common.keys.projection import key_projection_handlers
from accord_common.runtime import BackgroundTask, ServiceRuntime
from accord_common.web.app import create_app
from fastapi import FastAPI

from reimbursement_engine.adapters.caches import EngineCaches
from reimbursement_engine.adapters.compute_pool import shared_pool
from reimbursement_engine.adapters.orm import metadata
from reimbursement_engine.config import EngineSettings
from reimbursement_engine.entrypoints import (
    api_analytics,
    api_appeals,
    api_canary,
    api_claims,
    api_exports,
    api_locations,
    api_published_rates,
    api_recovery,
    api_reference,
    api_remittance_reads,
    api_remittances,
    api_schedule_what_if,
    api_scorecard,
    api_variances,
)
from reimbursement_engine.entrypoints.consumers import build_handlers
from reimbursement_engine.handlers.file_reconciliation import sweep_forever

SERVICE_ROOT = Path(__file__).resolve().parents[2]


def build_runtime(
    settings: EngineSettings | None = None, caches: EngineCaches | None = None
) -> ServiceRuntime:
    settings = settings or EngineSettings()
    caches = caches or EngineCaches(settings.variance_tolerance)
    return ServiceRuntime(
        settings=settings,
        metadata=metadata,
        service_root=SERVICE_ROOT,
        handlers={**build_handlers(caches), **key_projection_handlers()},
        background=[stalled_files_sweeper(settings)],
    )


def stalled_files_sweeper(settings: EngineSettings) -> BackgroundTask:
    """The runtime's task finishing 835s whose reconciliation stopped mid-way (a process ended)."""

    async def sweep_stalled_files(runtime: ServiceRuntime) -> None:
        await sweep_forever(
            runtime.uow,
            settings.variance_tolerance,
            settings.reconcile_sweep_seconds,
            timedelta(seconds=settings.reconcile_stalled_seconds),
            shared_pool(settings.reconcile_processes),
        )

    return sweep_stalled_files


def build_app(settings: EngineSettings | None = None) -> FastAPI:
    settings = settings or EngineSettings()
    caches = EngineCaches(settings.variance_tolerance)
    app = create_app(
        build_runtime(settings, caches),
        [
            api_claims.router,
            api_remittances.router,
            api_remittance_reads.router,
            api_variances.router,
            api_analytics.router,
            api_appeals.router,
            api_exports.router,
            api_scorecard.router,
            api_schedule_what_if.router,
            api_locations.router,
            api_recovery.router,
            api_canary.router,
            api_published_rates.router,
            api_reference.router,
        ],
        title="Accord reimbursement engine",
        description="Expected price per claim line under the contract in force, 835 reconciliation, "
        "variances and their worklist, analytics and what-if scenarios.",
    )
    app.state.caches = caches
    app.state.compute = shared_pool(settings.reconcile_processes)
    tune_gc(settings.gc_threshold)
    return app


def tune_gc(threshold: int) -> None:
    """Fewer, cheaper garbage collections while a batch holds many live objects.

    A 5,000-line batch keeps ~10^5 container objects alive until it answers; with CPython's
    default first-generation threshold (700) those trigger repeated full collections that rescan
    them all (measured: about a third of the batch's CPU time). The app's long-lived objects are
    frozen out of the collector and the first threshold raised; reference counting still frees
    almost everything, the collector only finds cycles. At 50,000 a 1,000-claim batch still ran
    one collection (~10 ms, 5% of its CPU); at 100,000 (the default) none runs while batches
    come and go, and cyclic garbage stays bounded by that many objects. `threshold=0` leaves
    CPython's defaults.
    """
    if threshold <= 0:
        return
    gc.collect()
    gc.freeze()
    gc.set_threshold(threshold, 20, 100)
