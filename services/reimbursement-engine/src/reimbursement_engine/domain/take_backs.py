"""Provider-level adjustments (835 PLB) that take money back for a claim.

PLB03-1 WO (overpayment recovery), 72 (authorized return) and FB (forward balance) with a positive
amount reduce the payment; PLB03-2 names what is taken back, usually the payer's claim control number
(CLP07) of the claim it was paid on, sometimes its patient control number (CLP01).
"""

from __future__ import annotations

from decimal import Decimal

TAKE_BACK_REASONS = frozenset({"WO", "72", "FB"})


def is_take_back(reason_code: str, amount: Decimal) -> bool:
    return reason_code in TAKE_BACK_REASONS and amount > 0


def link(references: list[str | None], claim_ids: dict[str, str]) -> list[str | None]:
    """The claim each reference names (None: no reference, or none known)."""
    return [claim_ids.get(r) if r else None for r in references]
