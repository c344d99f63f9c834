"""libs/common tests: enable the infrastructure plugin (idempotent if the root conftest does)."""

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.import_plugin("accord_common.testing.pytest_plugin")
