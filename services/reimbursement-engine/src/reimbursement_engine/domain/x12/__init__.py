"""X12 5010 healthcare EDI: 835 remittance advice and 837P/837I claims as plain records.

Parsing is pure: bytes or str in, frozen dataclasses out, `X12Error` for malformed input.
Envelope counts and control numbers (shared by 835 and 837), balancing and other rule breaches are
returned as `Finding`s so that every one is reported; `parse_837` refuses with one `X12Refusal`
listing every `Breach` (`read_837` returns the claims and the breaches instead).
"""

from .balance import check_balancing, checked_835, validate_835
from .claims import Claim837, ClaimKind, Diagnosis, ServiceLine
from .codes import ProcedureCode
from .errors import REFUSING_RULES, Breach, Finding, Rule, X12Error, X12Refusal
from .parse_835 import Item835, parse_835, stream_835
from .parse_837 import Read837, parse_837, read_837
from .remittance import (
    REVERSAL,
    Adjustment,
    ClaimPayment,
    Party,
    Payment835,
    ProviderAdjustment,
    Remittance835,
    ServicePayment,
    Transaction835,
)

__all__ = [
    "REFUSING_RULES",
    "REVERSAL",
    "Adjustment",
    "Breach",
    "Claim837",
    "ClaimKind",
    "ClaimPayment",
    "Diagnosis",
    "Finding",
    "Item835",
    "Party",
    "Payment835",
    "ProcedureCode",
    "ProviderAdjustment",
    "Read837",
    "Remittance835",
    "Rule",
    "ServiceLine",
    "ServicePayment",
    "Transaction835",
    "X12Error",
    "X12Refusal",
    "check_balancing",
    "checked_835",
    "parse_835",
    "parse_837",
    "read_837",
    "stream_835",
    "validate_835",
]
