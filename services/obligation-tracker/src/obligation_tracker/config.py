"""Settings of the obligation tracker (env prefix ACCORD_TRACKER_)."""

from accord_common.settings import ServiceSettings
from pydantic import Field
from pydantic_settings import SettingsConfigDict


class TrackerSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ACCORD_TRACKER_", extra="ignore")

    service_name: str = "obligation-tracker"
    database_url: str = "sqlite+aiosqlite:///./.data/obligation-tracker.db"
    scheduler_enabled: bool = True
    scheduler_interval_seconds: float = Field(default=60.0, gt=0)
    scheduler_batch_size: int = Field(default=500, ge=1)
    default_lead_days: list[int] = [90, 60, 30, 7]
    default_time_zone: str = "America/New_York"
    default_holiday_country: str = "US"
    default_holiday_subdivision: str | None = None
