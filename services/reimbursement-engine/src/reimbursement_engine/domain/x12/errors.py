"""What can go wrong with an X12 file: structural errors (raised) and findings (reported)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum


@dataclass(frozen=True, slots=True)
class Breach:
    """One rule a file breaks and where: what a refusal lists (rule named as the TR3 states it)."""

    rule: str
    segment_index: int
    segment_id: str
    message: str


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

    @property
    def breaches(self) -> tuple[Breach, ...]:
        """Every breach this error stands for, in file order."""
        return (Breach(self.rule, self.segment_index, self.segment_id, self.message),)


class X12Refusal(X12Error):
    """A file refused for one or more rule breaches; `breaches` lists all of them in file order."""

    def __init__(self, breaches: Sequence[Breach]) -> None:
        ordered = tuple(sorted(breaches, key=lambda b: b.segment_index))
        first = ordered[0]
        message = first.message if len(ordered) == 1 else f"{first.message} (and {len(ordered) - 1} more)"
        super().__init__(
            message, rule=first.rule, segment_index=first.segment_index, segment_id=first.segment_id
        )
        self._breaches = ordered

    @property
    def breaches(self) -> tuple[Breach, ...]:
        return self._breaches


class Rule(StrEnum):
    """Rules whose breach is reported as a finding rather than raised."""

    TRANSACTION_BALANCE = "835 BPR02 = sum(CLP04) - sum(PLB amounts)"
    CLAIM_BALANCE = "835 CLP03 - sum(claim and line CAS) = CLP04"
    LINE_BALANCE = "835 SVC02 - sum(line CAS) = SVC03"
    SEGMENT_COUNT = "SE01 = number of segments from ST to SE"
    TRANSACTION_CONTROL = "SE02 = ST02"
    GROUP_COUNT = "GE01 = number of ST"
    GROUP_CONTROL = "GE02 = GS06"
    INTERCHANGE_COUNT = "IEA01 = number of GS"
    INTERCHANGE_CONTROL = "IEA02 = ISA13"
    CLAIM_ID_UNIQUE = "837 CLM01 is unique within the file"
    CLAIM_CHARGE_TOTAL = "837 CLM02 = sum of the service line charges (SV102 / SV203)"
    CLAIM_HAS_LINES = "837 claim has at least one service line (loop 2400)"
    COMPONENT_SEPARATOR = "composites use the ISA16 component separator"
    COMPOSITE_SHAPE = "composite carries a qualifier and a code"
    PLB_REASON = "PLB03-1 is a TR3 provider adjustment reason code"
    PAYMENT_DATE = "BPR16 is the payment date (CCYYMMDD)"


# Envelope counts and control numbers: a breach means the file was truncated, spliced or mislabelled.
ENVELOPE_RULES = frozenset(
    {
        Rule.SEGMENT_COUNT,
        Rule.TRANSACTION_CONTROL,
        Rule.GROUP_COUNT,
        Rule.GROUP_CONTROL,
        Rule.INTERCHANGE_COUNT,
        Rule.INTERCHANGE_CONTROL,
    }
)
# Breaches that refuse a whole file: money that does not add up, a broken envelope, or claims that
# cannot be told apart.
REFUSING_RULES = ENVELOPE_RULES | {
    Rule.TRANSACTION_BALANCE,
    Rule.CLAIM_BALANCE,
    Rule.LINE_BALANCE,
    Rule.CLAIM_ID_UNIQUE,
    Rule.CLAIM_CHARGE_TOTAL,
    Rule.CLAIM_HAS_LINES,
}


@dataclass(frozen=True, slots=True)
class Finding:
    """A rule the file breaks; where; and, for balancing rules, the two sides that differ."""

    rule: Rule
    segment_index: int
    segment_id: str
    message: str
    expected: Decimal | None = None
    actual: Decimal | None = None

    @property
    def breach(self) -> Breach:
        return Breach(self.rule.value, self.segment_index, self.segment_id, self.message)
