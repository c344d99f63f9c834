"""Medicare schedules for the ASC / OPPS / CLFS / DMEPOS tests, read from the CMS rows copied into
data/cms (see its README for the source and attribution)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from reimbursement_engine.domain.pricing import (
    Claim,
    ClaimLine,
    CodeSystem,
    ContractTerms,
    MedicareReference,
    PaymentTerm,
    PercentOfMedicare,
    PricedClaim,
    ServiceCategory,
    price_claim,
)
from reimbursement_engine.domain.pricing.asc import WageIndex
from reimbursement_engine.domain.pricing.schedule_releases import HeldFile, assemble, schedule_year
from reimbursement_engine.domain.pricing.schedules import Basis, MedicareSchedules

CMS = Path(__file__).parent / "data" / "cms"
ASC_RELEASES = {
    date(2025, 1, 1): "asc/2025/20250101",
    date(2025, 4, 1): "asc/2025/20250401",
    date(2025, 7, 1): "asc/2025/20250701",
    date(2026, 1, 1): "asc/2026/20260101",
}


def _text(path: str) -> str:
    raw = (CMS / path).read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252")


def _asc_files(year: int) -> list[HeldFile]:
    files = [
        HeldFile(on, part, _text(f"{folder}/{part}.csv"))
        for on, folder in ASC_RELEASES.items()
        if on.year == year
        for part in ("AA", "BB", "EE", "FF")
    ]
    wage = "asc/2025/wage_index.txt" if year == 2025 else "asc/2026/wage_index.csv"
    return [*files, HeldFile(date(year, 1, 1), "wage_index", _text(wage))]


def schedules(opps_wage: WageIndex | None = None) -> MedicareSchedules:
    years = [schedule_year(Basis.ASC, year, _asc_files(year)) for year in (2025, 2026)]
    opps = [HeldFile(date(2025, 1, 1), "B", _text("opps/addendum_b_2025_jan.csv"))]
    years.append(schedule_year(Basis.OPPS, 2025, opps))
    years.append(
        schedule_year(
            Basis.CLFS, 2026, [HeldFile(date(2026, 1, 1), "CLFS", _text("clfs/CLFS_2026_Q1V1.csv"))]
        )
    )
    dme = [
        HeldFile(date(2026, 1, 1), "DMEPOS", _text("dmepos/DMEPOS26_JAN.csv")),
        HeldFile(date(2026, 1, 1), "PEN", _text("dmepos/DMEPEN26_JAN.csv")),
    ]
    years.append(schedule_year(Basis.DMEPOS, 2026, dme))
    built = assemble(years)
    if opps_wage is None:
        return built
    return MedicareSchedules(
        built.asc, built.opps, built.clfs, built.dmepos, {**built.wage_indexes, ("OPPS", 2025): opps_wage}
    )


def reference(opps_wage: WageIndex | None = None, years: Any = None) -> MedicareReference:
    return MedicareReference(years=years or {}, schedules=schedules(opps_wage))


def contract(basis: str | None, percent: str = "100") -> ContractTerms:
    category = ServiceCategory("outpatient procedures", CodeSystem.CPT_HCPCS)
    term = PaymentTerm("pct-medicare", category, PercentOfMedicare(Decimal(percent), basis=basis))
    return ContractTerms("c-1", 1, (term,))


def line(n: int, code: str, on: date, *modifiers: str, units: str = "1", pos: str | None = "24") -> ClaimLine:
    return ClaimLine(
        n, code, Decimal(units), Decimal("20000.00"), on, modifiers=modifiers, place_of_service=pos
    )


def price(
    lines: list[ClaimLine],
    basis: str | None,
    medicare: MedicareReference,
    percent: str = "100",
    **claim: Any,
) -> PricedClaim:
    first = lines[0].service_date
    built = Claim("PCN-1", "60054", first, first, tuple(lines), **claim)
    return price_claim(built, contract(basis, percent), medicare, first)
