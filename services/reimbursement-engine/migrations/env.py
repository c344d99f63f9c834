from accord_common.migrate import run_env
from reimbursement_engine.adapters.orm import metadata
from reimbursement_engine.config import EngineSettings

run_env(metadata, EngineSettings().database_url)
