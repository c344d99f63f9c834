"""Generate a valid, balancing 835 for benchmarks and tests (deterministic for a given seed)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal

_CODES = ("99213", "99214", "93000", "80053", "71046", "36415", "97110", "20610")
_CENT = Decimal("0.01")


@dataclass(frozen=True)
class _Delimiters:
    element: str
    component: str
    terminator: str


def generate_835(
    n_claims: int,
    *,
    lines_per_claim: int = 2,
    seed: int = 0,
    provider_adjustment: bool = True,
    element: str = "*",
    component: str = ":",
    terminator: str = "~",
    newlines: bool = True,
) -> str:
    """One interchange with one 835 whose BPR02, claims and lines all balance."""
    rng = random.Random(seed)
    d = _Delimiters(element, component, terminator)
    claims: list[list[str]] = []
    total_paid = Decimal(0)
    for number in range(1, n_claims + 1):
        segments, paid = _claim(rng, d, number, lines_per_claim)
        claims.append(segments)
        total_paid += paid
    plb: list[str] = []
    if provider_adjustment:
        # A recoupment (positive, withheld) and interest (negative, added to the payment).
        plb = [_seg(d, "PLB", "1999999999", "20250131", f"WO{component}RC20250131", "25.00", "L6", "-3.17")]
        total_paid -= Decimal("21.83")
    body = _header(d, total_paid) + [s for c in claims for s in c] + plb
    transaction = [_seg(d, "ST", "835", "0001"), *body]
    transaction.append(_seg(d, "SE", str(len(transaction) + 1), "0001"))
    isa = _isa(d)
    envelope = [isa, _seg(d, "GS", "HP", "PAYER", "PROVIDER", "20250201", "1200", "1", "X", "005010X221A1")]
    envelope += [*transaction, _seg(d, "GE", "1", "1"), _seg(d, "IEA", "1", "000000001")]
    return ("\n" if newlines else "").join(envelope) + ("\n" if newlines else "")


def _seg(d: _Delimiters, *elements: str) -> str:
    return d.element.join(elements) + d.terminator


def _isa(d: _Delimiters) -> str:
    fields = (
        "00",
        " " * 10,
        "00",
        " " * 10,
        "ZZ",
        "PAYER".ljust(15),
        "ZZ",
        "PROVIDER".ljust(15),
        "250201",
        "1200",
        _repetition(d),
        "00501",
        "000000001",
        "0",
        "P",
        d.component,
    )
    return "ISA" + d.element + d.element.join(fields) + d.terminator


def _repetition(d: _Delimiters) -> str:
    taken = {d.element, d.component, d.terminator}
    return next(c for c in "^{`~|" if c not in taken)


def _header(d: _Delimiters, total_paid: Decimal) -> list[str]:
    bpr = [
        "BPR",
        "I",
        str(total_paid),
        "C",
        "ACH",
        "CCP",
        "01",
        "011000015",
        "DA",
        "123456",
        "1512345678",
        "",
        "01",
        "999988880",
        "DA",
        "98765",
        "20250201",
    ]
    return [
        _seg(d, *bpr),
        _seg(d, "TRN", "1", "EFT0000001", "1512345678"),
        _seg(d, "DTM", "405", "20250131"),
        _seg(d, "N1", "PR", "GENERATED HEALTH PLAN", "XV", "GHP01"),
        _seg(d, "N1", "PE", "GENERATED MEDICAL GROUP", "XX", "1999999999"),
    ]


def _claim(rng: random.Random, d: _Delimiters, number: int, lines: int) -> tuple[list[str], Decimal]:
    segments: list[str] = []
    charge = paid = patient = Decimal(0)
    for _ in range(lines):
        line, line_charge, line_paid, line_patient = _line(rng, d)
        segments += line
        charge, paid, patient = charge + line_charge, paid + line_paid, patient + line_patient
    clp = _seg(
        d,
        "CLP",
        f"PCN{number:08d}",
        "1",
        str(charge),
        str(paid),
        str(patient),
        "12",
        f"PAYER{number:010d}",
        "11",
        "1",
    )
    header = [
        _seg(d, "LX", str(number)) if number == 1 else "",
        clp,
        _seg(d, "NM1", "QC", "1", "", "", "", "", "", "MI", f"M{number:09d}"),
        _seg(d, "DTM", "232", "20250115"),
    ]
    return [s for s in header if s] + segments, paid


def _line(rng: random.Random, d: _Delimiters) -> tuple[list[str], Decimal, Decimal, Decimal]:
    charge = Decimal(rng.randint(5_000, 90_000)) * _CENT
    contractual = (charge * Decimal(rng.randint(10, 45)) / 100).quantize(_CENT)
    deductible = Decimal(rng.choice((0, 0, 1_000, 2_500))) * _CENT
    paid = charge - contractual - deductible
    code = rng.choice(_CODES)
    segments = [
        _seg(d, "SVC", f"HC{d.component}{code}", str(charge), str(paid), "", "1"),
        _seg(d, "DTM", "472", "20250115"),
        _seg(d, "CAS", "CO", "45", str(contractual)),
    ]
    if deductible:
        segments.append(_seg(d, "CAS", "PR", "1", str(deductible)))
    segments.append(_seg(d, "AMT", "B6", str(charge - contractual)))
    return segments, charge, paid, deductible
