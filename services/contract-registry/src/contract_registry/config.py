"""Settings of the contract registry (env prefix ACCORD_REGISTRY_)."""

from accord_common.settings import ServiceSettings
from pydantic_settings import SettingsConfigDict


class RegistrySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ACCORD_REGISTRY_", extra="ignore")

    service_name: str = "contract-registry"
    database_url: str = "sqlite+aiosqlite:///./.data/contract-registry.db"
    documents_dir: str = "./.data/documents"
    max_upload_bytes: int = 25 * 1024 * 1024
