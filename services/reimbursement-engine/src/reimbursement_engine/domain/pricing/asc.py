"""Medicare ASC payment system: one quarter's addenda (AA, BB, EE, FF) and a year's wage index.

Formula (42 CFR 416.171-172, Medicare Claims Processing Manual ch. 14):
- national rate (Addendum AA/BB, = weight x conversion factor) adjusted for the center's CBSA:
  rate x (0.5 x wage index + 0.5) (50% labor-related share);
- device-intensive procedures (payment indicator J8): the device portion (Addendum FF) is not
  wage-adjusted: device + (rate - device) x (0.5 x wage index + 0.5); with modifier FB (device at
  no cost) the full device offset is taken off, with FC (partial credit) half of it;
- modifier 73 (discontinued before anesthesia): 50% (a J8 procedure: its device portion taken off
  first); 52 (reduced services): 50%; 74 (after anesthesia): 100%; lines at 50% are not discounted
  again;
- multiple procedure discounting: of the procedures subject to it (AA flag Y) the highest-paying
  at 100%, every other (and every further unit) at 50%;
- packaged payment indicators (N1, L1): $0, paid within the procedure; codes on Addendum EE are
  not payable in an ASC.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

ASC_CONVERSION_FACTORS = {2025: Decimal("54.895"), 2026: Decimal("56.322")}
LABOR_SHARE = Decimal("0.5")
PACKAGED_INDICATORS = frozenset({"N1", "L1"})
DEVICE_INTENSIVE = "J8"
DISCONTINUED_BEFORE_ANESTHESIA, DISCONTINUED_AFTER_ANESTHESIA, REDUCED = "73", "74", "52"
NO_COST_DEVICE, PARTIAL_CREDIT_DEVICE = "FB", "FC"
_MONTHS = ("January", "April", "July", "October")


@dataclass(frozen=True, slots=True)
class AscCode:
    """A row of Addendum AA (covered surgical procedure) or BB (covered ancillary service)."""

    hcpcs: str
    addendum: str  # "AA" or "BB"
    indicator: str
    weight: Decimal | None
    rate: Decimal | None
    discounted: bool = False  # AA: subject to multiple procedure discounting


@dataclass(frozen=True, slots=True)
class DeviceOffset:
    """Addendum FF: the device portion of a procedure's ASC rate."""

    percent: Decimal
    amount: Decimal


@dataclass(frozen=True, slots=True)
class AscRelease:
    """One quarter's ASC addenda, in force from `effective_on` until a later quarter's."""

    effective_on: date
    codes: Mapping[str, AscCode]
    excluded: frozenset[str] = frozenset()
    device_offsets: Mapping[str, DeviceOffset] = field(default_factory=dict)

    @property
    def label(self) -> str:
        month = _MONTHS[(self.effective_on.month - 1) // 3]
        return f"ASC {month} {self.effective_on.year} release"

    @property
    def conversion_factor(self) -> Decimal | None:
        return ASC_CONVERSION_FACTORS.get(self.effective_on.year)


@dataclass(frozen=True, slots=True)
class WageIndex:
    """A year's wage index by CBSA (ASC or OPPS). A CBSA the file lists twice with different
    values is ambiguous: pricing refuses to guess and says so."""

    year: int
    schedule: str  # "ASC" or "OPPS"
    values: Mapping[str, Decimal]
    ambiguous: Mapping[str, tuple[Decimal, ...]] = field(default_factory=dict)

    def lookup(self, cbsa: str) -> Decimal | str:
        """The index, or the reason there is none (text for the explanation)."""
        if cbsa in self.ambiguous:
            values = ", ".join(str(v) for v in self.ambiguous[cbsa])
            return (
                f"CBSA {cbsa} is listed {len(self.ambiguous[cbsa])} times in the CY{self.year} "
                f"{self.schedule} wage index with different values ({values}): not guessed"
            )
        value = self.values.get(cbsa)
        if value is None:
            return f"CBSA {cbsa} is not in the CY{self.year} {self.schedule} wage index"
        return value


def wage_adjusted(rate: Decimal, index: Decimal, labor_share: Decimal) -> Decimal:
    """rate x (labor share x wage index + (1 - labor share)), unrounded."""
    return rate * (labor_share * index + (1 - labor_share))
