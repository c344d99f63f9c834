from accord_common.migrate import run_env
from notifier.adapters.orm import metadata
from notifier.config import NotifierSettings

run_env(metadata, NotifierSettings().database_url)
