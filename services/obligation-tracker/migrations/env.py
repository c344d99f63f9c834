from accord_common.migrate import run_env
from obligation_tracker.adapters.orm import metadata
from obligation_tracker.config import TrackerSettings

run_env(metadata, TrackerSettings().database_url)
