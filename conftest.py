"""Root conftest: the infrastructure plugin (PostgreSQL and Kafka chosen by the harness)."""

pytest_plugins = ["accord_common.testing.pytest_plugin"]


def pytest_collection_modifyitems(items: list) -> None:  # type: ignore[type-arg]
    """Mark tests by level from where they live: tests/integration, tests/e2e, else unit."""
    import pytest

    for item in items:
        path = str(item.path)
        if "/e2e/" in path or "/scenarios/" in path:
            item.add_marker(pytest.mark.e2e)
        elif "/integration/" in path:
            item.add_marker(pytest.mark.integration)
        else:
            item.add_marker(pytest.mark.unit)
