"""How a re-pricing walk is cut into batches once its first batch came back full: one range request
ending at each planned end, then one open-ended request past the last (domain.repricing)."""

from __future__ import annotations

from datetime import date

import pytest
from reimbursement_engine.domain.repricing import RepricingRequest, RepricingScope, governed_by_version


def _request() -> RepricingRequest:
    return governed_by_version("org-1", "amended", "c-1", 2, date(2026, 1, 2), None)


@pytest.mark.parametrize(
    ("last", "ends", "ranges"),
    [
        ("c0002", [], [("c0002", None)]),  # nothing planned: walk on past the batch
        ("c0002", ["c0004"], [("c0002", "c0004"), ("c0004", None)]),
        (
            "c2000",
            ["c4000", "c6000", "c8000"],
            [("c2000", "c4000"), ("c4000", "c6000"), ("c6000", "c8000"), ("c8000", None)],
        ),
    ],
)
def test_later_batches_are_ranges_then_one_open_ended(
    last: str, ends: list[str], ranges: list[tuple[str, str | None]]
) -> None:
    planned = _request().later_batches(last, ends)
    assert [(r.after_claim_id, r.until_claim_id) for r in planned] == ranges
    for request in planned:  # everything else is the walk's own
        assert (request.scope, request.contract_id, request.contract_version) == (
            RepricingScope.VERSION,
            "c-1",
            2,
        )
