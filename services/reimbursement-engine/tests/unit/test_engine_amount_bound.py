"""The engine's domain keeps the same amount bound as accord_common.amounts (it cannot import it)."""

from __future__ import annotations

from accord_common import amounts
from reimbursement_engine.domain import amounts as engine


def test_the_engine_bound_is_the_shared_one() -> None:
    assert (engine.MAX_AMOUNT, engine.MAX_RATE, engine.MAX_PLACES) == (
        amounts.MAX_AMOUNT,
        amounts.MAX_RATE,
        amounts.MAX_PLACES,
    )
