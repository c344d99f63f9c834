"""Map an 837 claim loop (2300 with its 2400 lines) into a `Claim837`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from .claims import Claim837, ClaimKind, Diagnosis, ServiceLine
from .codes import procedure_code
from .dtp import date_range
from .elements import (
    amount,
    component,
    components,
    fail,
    identifier,
    integer,
    optional_amount,
    optional_text,
    text,
)
from .errors import Finding
from .tokenizer import Segment, Separators

# SBR09 claim filing indicator -> the line of business a contract names (others say nothing).
LINE_OF_BUSINESS_BY_FILING_CODE = {
    "CI": "commercial",
    "12": "commercial",
    "13": "commercial",
    "14": "commercial",
    "15": "commercial",
    "BL": "commercial",
    "16": "medicare_advantage",
    "MC": "medicaid_managed_care",
    "WC": "workers_compensation",
}
DIAGNOSIS_QUALIFIERS = frozenset({"ABK", "BK", "ABF", "BF", "ABJ", "BJ", "APR", "PR", "ABN", "BN"})
_LINE_SEGMENT = {ClaimKind.PROFESSIONAL: "SV1", ClaimKind.INSTITUTIONAL: "SV2"}


@dataclass
class SubmissionContext:
    """What the hierarchical loops above a claim say: billing provider, payer, member."""

    provider_name: str | None = None
    provider_npi: str | None = None
    provider_tin: str | None = None
    payer_name: str | None = None
    payer_id: str | None = None
    member_id: str | None = None
    provider_zip: str | None = None
    line_of_business: str | None = None
    entity: str | None = None  # the NM101 an N4 that follows belongs to
    subscriber_zip: str | None = None  # 2010BA N403
    patient_zip: str | None = None  # 2010CA N403 (HL 23: the patient is not the subscriber)

    @property
    def residence_zip(self) -> str | None:
        """Where the patient lives: the patient loop's N403, else the subscriber's."""
        return self.patient_zip or self.subscriber_zip


def note_site(context: SubmissionContext, segment: Segment) -> None:
    """Billing provider ZIP (loop 2010AA N403), subscriber and patient ZIPs (2010BA, 2010CA N403)
    and the SBR09 line of business, above the claims."""
    if segment.id == "NM1":
        context.entity = segment.element(1)
    elif segment.id == "N4" and context.entity == "85":
        context.provider_zip = segment.element(3) or None
    elif segment.id == "N4" and context.entity == "IL":
        context.subscriber_zip = segment.element(3) or None
    elif segment.id == "N4" and context.entity == "QC":
        context.patient_zip = segment.element(3) or None
    elif segment.id == "SBR":
        context.line_of_business = LINE_OF_BUSINESS_BY_FILING_CODE.get(segment.element(9))


@dataclass
class LineLoop837:
    lx: Segment
    segments: list[Segment] = field(default_factory=list)


@dataclass
class ClaimLoop837:
    clm: Segment
    context: SubmissionContext
    segments: list[Segment] = field(default_factory=list)
    lines: list[LineLoop837] = field(default_factory=list)


@dataclass(frozen=True)
class TransactionInfo:
    kind: ClaimKind
    version: str
    control_number: str
    separators: Separators


def claim_837(loop: ClaimLoop837, info: TransactionInfo) -> Claim837:
    clm, context, notes = loop.clm, loop.context, list[Finding]()
    clm05 = components(clm, 5, info.separators, notes)
    if not component(clm05, 1):
        raise fail(clm, "CLM05-1 facility code is required", f"CLM05 is {clm.element(5)!r}")
    dates, codes, cl1 = _claim_segments(loop, info.separators, notes)
    lines = tuple(_service_line(line, info, notes) for line in loop.lines)
    statement = dates.get("434")
    drg = next((c.code for c in codes if c.qualifier == "DR"), None)
    facility_npi, facility_zip = service_facility(loop.segments)
    return Claim837(
        info.kind,
        info.version,
        info.control_number,
        identifier(clm, 1),
        amount(clm, 2),
        component(clm05, 1),
        component(clm05, 2) or None,
        component(clm05, 3) or None,
        context.provider_name,
        context.provider_npi,
        context.provider_tin,
        context.payer_name,
        context.payer_id,
        context.member_id,
        statement[0] if statement else None,
        statement[1] if statement else None,
        dates["435"][0] if "435" in dates else None,
        dates["472"][0] if "472" in dates else None,
        tuple(c for c in codes if c.qualifier in DIAGNOSIS_QUALIFIERS),
        drg,
        cl1.element(1) or None if cl1 else None,
        cl1.element(2) or None if cl1 else None,
        cl1.element(3) or None if cl1 else None,
        lines,
        clm.index,
        tuple(notes),
        context.provider_zip,
        facility_npi,
        facility_zip,
        context.line_of_business,
        context.residence_zip,
    )


def service_facility(segments: list[Segment]) -> tuple[str | None, str | None]:
    """NPI (NM109 when NM108 is XX) and ZIP (N403) of the service facility location: loop 2310C
    of an 837P, 2310E of an 837I (NM1*77)."""
    npi = zip_code = None
    entity: str | None = None
    for segment in segments:
        if segment.id == "NM1":
            entity = segment.element(1)
            if entity == "77" and segment.element(8) == "XX":
                npi = segment.element(9) or None
        elif segment.id == "N4" and entity == "77":
            zip_code = segment.element(3) or None
    return npi, zip_code


def _claim_segments(
    loop: ClaimLoop837, separators: Separators, notes: list[Finding]
) -> tuple[dict[str, tuple[date, date]], list[Diagnosis], Segment | None]:
    """The claim's DTP date ranges by qualifier, its HI codes and its CL1 segment."""
    dates: dict[str, tuple[date, date]] = {}
    codes: list[Diagnosis] = []
    cl1: Segment | None = None
    for segment in loop.segments:
        if segment.id == "DTP":
            period = date_range(segment)
            if period is not None:  # a time of day (TM) carries no date
                dates[text(segment, 1)] = period
        elif segment.id == "HI":
            codes.extend(_health_codes(segment, separators, notes))
        elif segment.id == "CL1":
            cl1 = segment
    return dates, codes, cl1


def _health_codes(hi: Segment, separators: Separators, notes: list[Finding]) -> list[Diagnosis]:
    """HI01..HI12: qualifier and code of each composite (diagnoses, DRG, occurrence ...)."""
    found: list[Diagnosis] = []
    for position in range(1, 13):
        if hi.element(position):
            parts = components(hi, position, separators, notes)
            found.append(Diagnosis(component(parts, 1), component(parts, 2)))
    return found


def _service_line(loop: LineLoop837, info: TransactionInfo, notes: list[Finding]) -> ServiceLine:
    service_id = _LINE_SEGMENT[info.kind]
    service = next((s for s in loop.segments if s.id == service_id), None)
    if service is None:
        raise fail(loop.lx, f"{info.kind} service line LX requires {service_id}", "not found")
    dates = next((date_range(s) for s in loop.segments if _is_dtp(s, "472")), None)
    control = next((s.element(2) for s in loop.segments if _is_ref(s, "6R")), None)
    if info.kind is ClaimKind.PROFESSIONAL:
        pointers = tuple(p for p in components(service, 7, info.separators, notes) if p)
        procedure = procedure_code(service, 1, info.separators, notes)
        revenue, charge, place = None, amount(service, 2), optional_text(service, 5)
        basis, units = optional_text(service, 3), optional_amount(service, 4)
    else:
        pointers, place = (), None
        procedure = procedure_code(service, 2, info.separators, notes)
        revenue, charge = text(service, 1), amount(service, 3)
        basis, units = optional_text(service, 4), optional_amount(service, 5)
    return ServiceLine(
        integer(loop.lx, 1),
        procedure,
        revenue,
        charge,
        basis,
        units,
        place,
        pointers,
        dates[0] if dates else None,
        dates[1] if dates else None,
        control or None,
        service.index,
    )


def _is_dtp(segment: Segment, qualifier: str) -> bool:
    return segment.id == "DTP" and segment.element(1) == qualifier


def _is_ref(segment: Segment, qualifier: str) -> bool:
    return segment.id == "REF" and segment.element(1) == qualifier
