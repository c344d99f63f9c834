"""Settings of the reimbursement engine (env prefix ACCORD_ENGINE_)."""

from pydantic_settings import SettingsConfigDict

from accord_common.settings import ServiceSettings


class EngineSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ACCORD_ENGINE_", extra="ignore")

    service_name: str = "reimbursement-engine"
    database_url: str = "sqlite+aiosqlite:///./.data/reimbursement-engine.db"
    max_upload_bytes: int = 20 * 1024 * 1024
