"""Settings of the contract registry (env prefix ACCORD_REGISTRY_)."""

from typing import Self

from accord_common.settings import ServiceSettings
from pydantic import model_validator
from pydantic_settings import SettingsConfigDict

UPLOAD_HEADROOM = 1024 * 1024
"""What a request may carry beyond the document itself (multipart envelope, form fields)."""


class RegistrySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ACCORD_REGISTRY_", extra="ignore")

    service_name: str = "contract-registry"
    database_url: str = "sqlite+aiosqlite:///./.data/contract-registry.db"
    documents_dir: str = "./.data/documents"
    max_upload_bytes: int = 25 * 1024 * 1024
    """Documents' size limit; the service-wide request limit (max_request_bytes, 64 MiB by
    default, also bounding fee-schedule files) must leave room for it."""

    @model_validator(mode="after")
    def _upload_fits_the_request_limit(self) -> Self:
        if not 0 < self.max_upload_bytes <= self.max_request_bytes - UPLOAD_HEADROOM:
            raise ValueError(
                f"max_upload_bytes ({self.max_upload_bytes}) must be positive and at least "
                f"{UPLOAD_HEADROOM} bytes below max_request_bytes ({self.max_request_bytes})"
            )
        return self
