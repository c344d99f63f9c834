"""X12 5010 healthcare EDI: 835 remittance advice and 837P/837I claims as plain records.

Parsing is pure: bytes or str in, frozen dataclasses out, `X12Error` for malformed input.
Balancing and other rule breaches that a real file may still carry are returned as `Finding`s.
"""

from .balance import check_balancing, validate_835
from .claims import Claim837, ClaimKind, Diagnosis, ServiceLine
from .codes import ProcedureCode
from .errors import REFUSING_RULES, Finding, Rule, X12Error
from .generate import generate_835
from .parse_835 import parse_835
from .parse_837 import parse_837
from .remittance import (
    REVERSAL,
    Adjustment,
    ClaimPayment,
    Party,
    ProviderAdjustment,
    Remittance835,
    ServicePayment,
    Transaction835,
)

__all__ = [
    "REFUSING_RULES",
    "REVERSAL",
    "Adjustment",
    "Claim837",
    "ClaimKind",
    "ClaimPayment",
    "Diagnosis",
    "Finding",
    "Party",
    "ProcedureCode",
    "ProviderAdjustment",
    "Remittance835",
    "Rule",
    "ServiceLine",
    "ServicePayment",
    "Transaction835",
    "X12Error",
    "check_balancing",
    "generate_835",
    "parse_835",
    "parse_837",
    "validate_835",
]
