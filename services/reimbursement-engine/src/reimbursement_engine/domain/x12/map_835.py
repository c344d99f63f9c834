"""Map the segments of 835 loops 2100 (claim), 2110 (line) and PLB into records."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from .codes import procedure_code
from .elements import (
    a_date,
    amount,
    component,
    components,
    fail,
    identifier,
    optional_amount,
    optional_text,
    text,
)
from .errors import Finding, Rule
from .remittance import Adjustment, ClaimPayment, ProviderAdjustment, ServicePayment
from .tokenizer import Segment, Separators

# PLB03-1 reason codes listed in the 005010X221A1 TR3.
PLB_REASON_CODES = frozenset(
    {
        "50",
        "51",
        "72",
        "90",
        "AH",
        "AM",
        "AP",
        "B2",
        "B3",
        "BD",
        "BN",
        "C5",
        "CR",
        "CS",
        "CT",
        "CV",
        "CW",
        "DM",
        "E3",
        "FB",
        "FC",
        "GO",
        "HM",
        "IP",
        "IR",
        "IS",
        "J1",
        "L3",
        "L6",
        "LE",
        "LS",
        "OA",
        "OB",
        "PI",
        "PL",
        "RA",
        "RE",
        "SL",
        "TL",
        "WO",
        "WU",
    }
)


@dataclass
class LineLoop:
    svc: Segment
    segments: list[Segment] = field(default_factory=list)


@dataclass
class ClaimLoop:
    clp: Segment
    segments: list[Segment] = field(default_factory=list)
    lines: list[LineLoop] = field(default_factory=list)


def adjustments(cas: Segment) -> list[Adjustment]:
    """The up to six reason/amount/quantity triplets of one CAS segment."""
    group_code = text(cas, 1)
    found = [_triplet(cas, group_code, 2)]
    for position in range(5, len(cas.elements), 3):
        if cas.element(position) or cas.element(position + 1):
            found.append(_triplet(cas, group_code, position))
    return found


def _triplet(cas: Segment, group_code: str, position: int) -> Adjustment:
    quantity = optional_amount(cas, position + 2)
    return Adjustment(group_code, text(cas, position), amount(cas, position + 1), quantity, cas.index)


@dataclass
class _Details:
    """What the CAS, DTM, AMT and remark segments of a claim or line loop say."""

    dates: dict[str, date] = field(default_factory=dict)
    adjustments: list[Adjustment] = field(default_factory=list)
    amounts: list[tuple[str, Decimal]] = field(default_factory=list)
    remarks: list[str] = field(default_factory=list)

    def take(self, segment: Segment) -> bool:
        """Record a CAS, DTM or AMT segment; False for any other."""
        if segment.id == "CAS":
            self.adjustments.extend(adjustments(segment))
        elif segment.id == "DTM":
            self.dates[text(segment, 1)] = a_date(segment, 2)
        elif segment.id == "AMT":
            self.amounts.append((text(segment, 1), amount(segment, 2)))
        else:
            return False
        return True


def claim_payment(loop: ClaimLoop, separators: Separators, notes: list[Finding]) -> ClaimPayment:
    clp, details = loop.clp, _Details()
    member_ids: dict[str, str] = {}
    for segment in loop.segments:
        if details.take(segment):
            continue
        if segment.id in ("MOA", "MIA"):
            details.remarks.extend(_remark_codes(segment))
        elif segment.id == "NM1" and segment.element(9):
            member_ids.setdefault(segment.element(1), segment.element(9))
    lines = tuple(service_payment(line, separators, notes) for line in loop.lines)
    return ClaimPayment(
        identifier(clp, 1),
        text(clp, 2),
        amount(clp, 3),
        amount(clp, 4),
        optional_amount(clp, 5),
        optional_text(clp, 6),
        text(clp, 7),
        optional_text(clp, 8),
        optional_text(clp, 9),
        optional_text(clp, 11),
        member_ids.get("QC") or member_ids.get("IL"),
        details.dates.get("232"),
        details.dates.get("233"),
        details.dates.get("050"),
        tuple(details.adjustments),
        tuple(details.amounts),
        tuple(details.remarks),
        lines,
        clp.index,
    )


def _remark_codes(segment: Segment) -> list[str]:
    # MOA03-07 and MIA05, MIA20-23 carry RARC remark codes.
    positions = range(3, 8) if segment.id == "MOA" else (5, 20, 21, 22, 23)
    return [segment.element(p) for p in positions if segment.element(p)]


def service_payment(loop: LineLoop, separators: Separators, notes: list[Finding]) -> ServicePayment:
    svc, details = loop.svc, _Details()
    control_number = None
    for segment in loop.segments:
        if details.take(segment):
            continue
        if segment.id == "LQ":
            details.remarks.append(text(segment, 2))
        elif segment.id == "REF" and segment.element(1) == "6R":
            control_number = segment.element(2) or None
    start = details.dates.get("472") or details.dates.get("150")
    allowed = next((value for qualifier, value in details.amounts if qualifier == "B6"), None)
    return ServicePayment(
        procedure_code(svc, 1, separators, notes),
        amount(svc, 2),
        amount(svc, 3),
        optional_text(svc, 4),
        optional_amount(svc, 5),
        procedure_code(svc, 6, separators, notes),
        optional_amount(svc, 7),
        start,
        details.dates.get("151") or start,
        tuple(details.adjustments),
        allowed,
        tuple(details.amounts),
        tuple(details.remarks),
        control_number,
        svc.index,
    )


def provider_adjustments(
    plb: Segment, separators: Separators, notes: list[Finding]
) -> list[ProviderAdjustment]:
    """The up to six reason/amount pairs of one PLB segment."""
    provider_id, fiscal_date = text(plb, 1), a_date(plb, 2)
    found: list[ProviderAdjustment] = []
    for position in range(3, 15, 2):
        if not plb.element(position) and not plb.element(position + 1):
            continue
        text(plb, position)
        parts = components(plb, position, separators, notes)
        reason, reference = component(parts, 1), component(parts, 2) or None
        if reason not in PLB_REASON_CODES:
            message = f"PLB{position:02d} reason {reason!r} is not a TR3 PLB reason code"
            notes.append(Finding(Rule.PLB_REASON, plb.index, plb.id, message))
        value = amount(plb, position + 1)
        found.append(ProviderAdjustment(provider_id, fiscal_date, reason, reference, value, plb.index))
    return found


def ensure_claim(loop: ClaimLoop | None, segment: Segment) -> ClaimLoop:
    if loop is None:
        raise fail(segment, f"{segment.id} belongs to a claim (loop 2100)", "no CLP before it")
    return loop
