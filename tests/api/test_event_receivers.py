"""The catalogue's receivers (the AsyncAPI receive operations) are what each service really consumes."""

from __future__ import annotations

import pytest
from accord_common.events.catalogue import CATALOGUE, RECEIVERS


@pytest.mark.parametrize("service", sorted(RECEIVERS))
def test_each_service_handles_exactly_the_events_the_catalogue_says_it_receives(service: str) -> None:
    if service == "reimbursement-engine":
        from reimbursement_engine.bootstrap import build_runtime
    elif service == "obligation-tracker":
        from obligation_tracker.bootstrap import build_runtime  # type: ignore[no-redef]
    elif service == "contract-registry":
        from contract_registry.bootstrap import build_runtime  # type: ignore[no-redef]
    else:
        from notifier.bootstrap import build_runtime  # type: ignore[no-redef]
    runtime = build_runtime()
    assert sorted(runtime.handlers) == sorted(RECEIVERS[service])
    assert set(RECEIVERS[service]) <= set(CATALOGUE)
