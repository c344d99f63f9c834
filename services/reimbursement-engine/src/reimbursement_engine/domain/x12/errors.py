"""What can go wrong with an X12 file: structural errors (raised) and findings (reported)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum


class X12Error(ValueError):
    """The input is not a well-formed X12 file this package understands.

    `segment_index` is the 0-based position of the offending segment in the file (ISA = 0),
    or -1 when no segment could be read at all.
    """

    def __init__(self, message: str, *, rule: str, segment_index: int, segment_id: str) -> None:
        self.message = message
        self.rule = rule
        self.segment_index = segment_index
        self.segment_id = segment_id
        super().__init__(f"segment {segment_index} ({segment_id or '?'}): [{rule}] {message}")


class Rule(StrEnum):
    """Rules whose breach is reported as a finding rather than raised."""

    TRANSACTION_BALANCE = "835 BPR02 = sum(CLP04) - sum(PLB amounts)"
    CLAIM_BALANCE = "835 CLP03 - sum(claim and line CAS) = CLP04"
    LINE_BALANCE = "835 SVC02 - sum(line CAS) = SVC03"
    SEGMENT_COUNT = "SE01 = number of segments from ST to SE"
    COMPONENT_SEPARATOR = "composites use the ISA16 component separator"
    COMPOSITE_SHAPE = "composite carries a qualifier and a code"
    PLB_REASON = "PLB03-1 is a TR3 provider adjustment reason code"
    PAYMENT_DATE = "BPR16 is the payment date (CCYYMMDD)"


# Breaches that refuse a whole file: money that does not add up, or a truncated transaction.
REFUSING_RULES = frozenset(
    {Rule.TRANSACTION_BALANCE, Rule.CLAIM_BALANCE, Rule.LINE_BALANCE, Rule.SEGMENT_COUNT}
)


@dataclass(frozen=True, slots=True)
class Finding:
    """A rule the file breaks; where; and, for balancing rules, the two sides that differ."""

    rule: Rule
    segment_index: int
    segment_id: str
    message: str
    expected: Decimal | None = None
    actual: Decimal | None = None
