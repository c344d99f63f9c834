"""The registry's domain keeps the same amount bound as accord_common.amounts (it cannot import it)."""

from __future__ import annotations

from accord_common import amounts
from contract_registry.domain import validation


def test_the_registry_bound_is_the_shared_one() -> None:
    assert (validation.MAX_MONEY, validation.MAX_DECIMAL_PLACES) == (amounts.MAX_RATE, amounts.MAX_PLACES)
