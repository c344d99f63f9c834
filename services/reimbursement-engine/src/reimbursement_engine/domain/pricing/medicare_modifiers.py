"""Medicare payment policy modifiers of the physician fee schedule, by the PPRRVU file's own
indicators (CMS Claims Processing Manual, chapter 12, section 40):

- 50 bilateral, BILAT SURG: 1 -> 150% of the fee schedule amount; 0 -> 100% (the bilateral
  adjustment does not apply, one side); 2 -> 100% (the RVUs already cover both sides);
  3 -> 200% (each side at 100%); 9 -> 100% (the concept does not apply).
- 62 co-surgeons, CO SURG: 1 (with documentation) and 2 -> 62.5% each; 0 and 9 -> no payment.
- 80, 81, 82 assistant at surgery, ASST SURG: 0 (with documentation) and 2 -> 16%;
  1 (statutory restriction) and 9 -> no payment. AS (a non-physician assistant) -> 85% of 16%
  = 13.6% under the same indicator.
- 51 multiple procedures, MULT PROC 2 or 3: ranked across the claim's lines of the day
  (`adjustments.apply_medicare_multiple_procedure`), not per line.

26 and TC are not here: the file has their own component rows (`MedicareYear.rvu_for`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import partial

from .medicare import RvuRow
from .money import HUNDRED, fmt_percent

BILATERAL = "50"
MULTIPLE_PROCEDURES = "51"
CO_SURGEONS = "62"
ASSISTANTS = frozenset({"80", "81", "82"})
NON_PHYSICIAN_ASSISTANT = "AS"
MPPR_PERCENTAGES = (Decimal(100), Decimal(50))

_BILATERAL = {
    "1": (Decimal(150), "150% of the fee schedule amount"),
    "0": (Decimal(100), "the bilateral adjustment does not apply, one side at 100%"),
    "2": (Decimal(100), "the RVUs already cover both sides, 100%"),
    "3": (Decimal(200), "each side at 100%, 200%"),
    "9": (Decimal(100), "the bilateral concept does not apply, 100%"),
}
_ASSISTANT_PERCENT = Decimal(16)
_NON_PHYSICIAN_SHARE = Decimal(85)
_CO_SURGEON_PERCENT = Decimal("62.5")


@dataclass(frozen=True, slots=True)
class PaymentPolicy:
    """The percentage of the fee schedule amount the line's modifiers allow, with the text
    naming each modifier, its indicator and its percentage; `note` asks for documentation."""

    percent: Decimal
    text: str
    note: str | None = None


class NotPayable(str):
    """Medicare makes no payment for the line as billed (the reason, for the explanation)."""


def _indicator(value: str, name: str, modifier: str) -> str | NotPayable:
    if value:
        return value
    return NotPayable(
        f"modifier {modifier}: no {name} indicator loaded for the code (load the release again)"
    )


def _bilateral(rvu: RvuRow) -> PaymentPolicy | NotPayable:
    indicator = _indicator(rvu.bilat_surg, "BILAT SURG", BILATERAL)
    if isinstance(indicator, NotPayable):
        return indicator
    percent, why = _BILATERAL.get(indicator, _BILATERAL["9"])
    return PaymentPolicy(percent, f"modifier 50, BILAT SURG indicator {indicator}: {why}")


def _co_surgeon(rvu: RvuRow) -> PaymentPolicy | NotPayable:
    indicator = _indicator(rvu.co_surg, "CO SURG", CO_SURGEONS)
    if isinstance(indicator, NotPayable):
        return indicator
    if indicator not in {"1", "2"}:
        why = "co-surgeons not permitted" if indicator == "0" else "the co-surgeon concept does not apply"
        return NotPayable(f"modifier 62, CO SURG indicator {indicator}: {why}, no payment")
    text = f"modifier 62, CO SURG indicator {indicator}: 62.5% to each co-surgeon"
    note = "co-surgeons paid with documentation of medical necessity" if indicator == "1" else None
    return PaymentPolicy(_CO_SURGEON_PERCENT, text, note)


def _assistant(rvu: RvuRow, modifier: str) -> PaymentPolicy | NotPayable:
    indicator = _indicator(rvu.asst_surg, "ASST SURG", modifier)
    if isinstance(indicator, NotPayable):
        return indicator
    if indicator not in {"0", "2"}:
        why = "statutory payment restriction" if indicator == "1" else "the assistant concept does not apply"
        return NotPayable(f"modifier {modifier}, ASST SURG indicator {indicator}: {why}, no payment")
    if modifier == NON_PHYSICIAN_ASSISTANT:
        percent = _ASSISTANT_PERCENT * _NON_PHYSICIAN_SHARE / HUNDRED
        why = f"non-physician assistant at surgery, 85% of 16% = {fmt_percent(percent)}"
    else:
        percent, why = _ASSISTANT_PERCENT, "assistant at surgery, 16%"
    note = "assistant paid only with documentation of medical necessity" if indicator == "0" else None
    return PaymentPolicy(percent, f"modifier {modifier}, ASST SURG indicator {indicator}: {why}", note)


_RULES: dict[str, Callable[[RvuRow], PaymentPolicy | NotPayable]] = {
    BILATERAL: _bilateral,
    CO_SURGEONS: _co_surgeon,
    **{m: partial(_assistant, modifier=m) for m in (*sorted(ASSISTANTS), NON_PHYSICIAN_ASSISTANT)},
}


def payment_policy(rvu: RvuRow, modifiers: tuple[str, ...]) -> PaymentPolicy | NotPayable | None:
    """The line's payment policy (several modifiers multiply: 50 with 62 is 150% x 62.5%), a
    reason Medicare pays nothing, or None when no payment policy modifier is on the line."""
    policies: list[PaymentPolicy] = []
    for modifier in dict.fromkeys(modifiers):
        rule = _RULES.get(modifier)
        if rule is None:
            continue
        policy = rule(rvu)
        if isinstance(policy, NotPayable):
            return policy
        policies.append(policy)
    if not policies:
        return None
    percent = HUNDRED
    for policy in policies:
        percent = percent * policy.percent / HUNDRED
    notes = [p.note for p in policies if p.note]
    return PaymentPolicy(percent, "; ".join(p.text for p in policies), "; ".join(notes) or None)


def mppr_percent(rank: int) -> Decimal:
    """Medicare's standard multiple procedure rule: the highest at 100%, every other at 50%."""
    return MPPR_PERCENTAGES[min(rank, len(MPPR_PERCENTAGES) - 1)]
