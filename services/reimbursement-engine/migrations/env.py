from accord_common.migrate import run_env
from reimbursement_engine.adapters import (
    orm_appeals,  # noqa: F401  (its tables join the metadata)
    orm_reference,  # noqa: F401  (its tables join the metadata)
    orm_schedules,  # noqa: F401  (its tables join the metadata)
)
from reimbursement_engine.adapters.orm import metadata
from reimbursement_engine.config import EngineSettings

run_env(metadata, EngineSettings().database_url)
