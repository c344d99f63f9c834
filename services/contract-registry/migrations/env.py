from accord_common.migrate import run_env
from contract_registry.adapters.orm import metadata
from contract_registry.config import RegistrySettings

run_env(metadata, RegistrySettings().database_url)
