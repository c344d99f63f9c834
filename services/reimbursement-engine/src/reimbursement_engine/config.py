"""Settings of the reimbursement engine (env prefix ACCORD_ENGINE_)."""

from decimal import Decimal

from accord_common.settings import ServiceSettings
from pydantic_settings import SettingsConfigDict

from reimbursement_engine.domain.reconciliation import DEFAULT_TOLERANCE


class EngineSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ACCORD_ENGINE_", extra="ignore")

    service_name: str = "reimbursement-engine"
    database_url: str = "sqlite+aiosqlite:///./.data/reimbursement-engine.db"
    max_upload_bytes: int = 20 * 1024 * 1024
    max_batch_claims: int = 5000
    max_batch_lines: int = 50_000
    variance_tolerance: Decimal = DEFAULT_TOLERANCE
    what_if_max_claims: int = 20_000
    # worker processes reconciling a large 835's claims off the event loop (0: on it). Off by
    # default: on the shared 2-core machine it measured no faster (docs/benchmarks.md, issue 11)
    reconcile_processes: int = 0
    # an 835 whose reconciliation made no progress for this long (its process stopped mid-way) is
    # finished by the sweeper of any process, which looks every `reconcile_sweep_seconds`
    reconcile_stalled_seconds: float = 30.0
    reconcile_sweep_seconds: float = 10.0
    gc_threshold: int = 100_000  # first-generation GC threshold of the API process; 0 = CPython default
