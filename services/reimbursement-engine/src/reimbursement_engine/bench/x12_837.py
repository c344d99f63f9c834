"""Generate a valid 837P or 837I interchange for benchmarks and tests (deterministic for a seed).

Every claim has its own subscriber loop under one billing provider; CLM02 is the sum of its lines,
SE01, GE01 and IEA01 count what they enclose. Only synthetic names and identifiers.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal

from reimbursement_engine.domain.x12.claims import ClaimKind

_PROFESSIONAL_CODES = ("99213", "99214", "93000", "80053", "71046", "36415", "97110", "20610")
_INSTITUTIONAL_LINES = (("0450", "99284"), ("0300", "80053"), ("0320", "71046"), ("0730", "93005"))
_VERSION = {ClaimKind.PROFESSIONAL: "005010X222A1", ClaimKind.INSTITUTIONAL: "005010X223A2"}
_CENT = Decimal("0.01")


@dataclass(frozen=True)
class Envelope837:
    """Who sends to whom under which control numbers; `pcn_prefix` makes CLM01s distinct."""

    kind: ClaimKind = ClaimKind.PROFESSIONAL
    interchange_control_number: int = 1
    group_control_number: int = 1
    pcn_prefix: str = "PCN"
    payer_id: str = "GHP01"
    billing_npi: str = "1999999999"
    billing_tin: str = "123456789"
    service_date: str = "20250115"


def generate_837(
    n_claims: int,
    *,
    lines_per_claim: int = 2,
    seed: int = 0,
    envelope: Envelope837 | None = None,
    newlines: bool = True,
) -> str:
    """One interchange, one group, one 837 transaction with `n_claims` claims."""
    env = envelope or Envelope837()
    rng = random.Random(seed)
    body = _header(env)
    for number in range(1, n_claims + 1):
        body += _claim(rng, env, number, lines_per_claim)
    transaction = [_seg("ST", "837", "0001", _VERSION[env.kind]), *body]
    transaction.append(_seg("SE", str(len(transaction) + 1), "0001"))
    gs06 = str(env.group_control_number)
    segments = [
        _isa(env.interchange_control_number),
        _seg("GS", "HC", "SUBMITTER", "RECEIVER", "20250120", "1200", gs06, "X", _VERSION[env.kind]),
        *transaction,
        _seg("GE", "1", gs06),
        _seg("IEA", "1", f"{env.interchange_control_number:09d}"),
    ]
    separator = "\n" if newlines else ""
    return separator.join(segments) + separator


def _seg(*elements: str) -> str:
    return "*".join(elements) + "~"


def _isa(control_number: int) -> str:
    sender, receiver = "SUBMITTER".ljust(15), "RECEIVER".ljust(15)
    fields = ("00", " " * 10, "00", " " * 10, "ZZ", sender, "ZZ", receiver, "250120", "1200")
    return _seg("ISA", *fields, "^", "00501", f"{control_number:09d}", "0", "P", ":")


def _header(env: Envelope837) -> list[str]:
    return [
        _seg("BHT", "0019", "00", "BATCH1", "20250120", "1200", "CH"),
        _seg("NM1", "41", "2", "GENERATED MEDICAL GROUP", "", "", "", "", "46", "SUBMITTER"),
        _seg("PER", "IC", "BILLING", "TE", "5555550100"),
        _seg("NM1", "40", "2", "GENERATED HEALTH PLAN", "", "", "", "", "46", env.payer_id),
        _seg("HL", "1", "", "20", "1"),
        _seg("NM1", "85", "2", "GENERATED MEDICAL GROUP", "", "", "", "", "XX", env.billing_npi),
        _seg("N3", "1 MAIN ST"),
        _seg("N4", "BAKERSFIELD", "CA", "93301"),
        _seg("REF", "EI", env.billing_tin),
    ]


def _claim(rng: random.Random, env: Envelope837, number: int, lines: int) -> list[str]:
    charges = [Decimal(rng.randint(5_000, 90_000)) * _CENT for _ in range(lines)]
    institutional = env.kind is ClaimKind.INSTITUTIONAL
    facility = "13:A:1" if institutional else "11:B:1"
    segments = [
        _seg("HL", str(number + 1), "1", "22", "0"),
        _seg("SBR", "P", "18", "", "", "", "", "", "", "CI"),
        _seg("NM1", "IL", "1", "DOE", "SAM", "", "", "", "MI", f"M{number:09d}"),
        _seg("NM1", "PR", "2", "GENERATED HEALTH PLAN", "", "", "", "", "PI", env.payer_id),
        _seg("CLM", f"{env.pcn_prefix}{number:08d}", str(sum(charges)), "", "", facility, "Y", "A", "Y", "Y"),
    ]
    if institutional:
        segments.append(_seg("DTP", "434", "RD8", f"{env.service_date}-{env.service_date}"))
        segments.append(_seg("CL1", "1", "1", "01"))
        segments.append(_seg("HI", "ABK:R0789"))
    else:
        segments.append(_seg("HI", "ABK:J209"))
    for line_number, charge in enumerate(charges, start=1):
        segments += _line(rng, env, line_number, charge)
    return segments


def _line(rng: random.Random, env: Envelope837, number: int, charge: Decimal) -> list[str]:
    if env.kind is ClaimKind.INSTITUTIONAL:
        revenue, code = rng.choice(_INSTITUTIONAL_LINES)
        service = _seg("SV2", revenue, f"HC:{code}", str(charge), "UN", "1")
    else:
        code = rng.choice(_PROFESSIONAL_CODES)
        service = _seg("SV1", f"HC:{code}", str(charge), "UN", "1", "", "", "1")
    return [_seg("LX", str(number)), service, _seg("DTP", "472", "D8", env.service_date)]
