"""From the registry's JSON (contract.* payloads, fee_schedule.published rows) to pricing terms.

The shapes are the registry's domain serialisation (`to_json` of its dataclasses): Decimal as a
string, dates ISO, methodologies and escalators tagged by "kind", code matchers as
{"ranges": [{"code_system", "first", "last"}]}. Fee schedule rows carry code_system, code,
rate_kind, amount / percentage, modifiers, place_of_service, setting, unit, effective dates.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from reimbursement_engine.domain.pricing import (
    Capitation,
    CaseRate,
    CodeRange,
    CodeSystem,
    ContractTerms,
    FeeSchedule,
    FeeScheduleRate,
    FeeScheduleRow,
    InvoiceCostPlus,
    LevelOfCare,
    LocalityKey,
    MsDrg,
    MultipleProcedureReduction,
    Outlier,
    PaymentTerm,
    PercentOfCharges,
    PercentOfMedicare,
    PerDiem,
    ServiceCategory,
    Setting,
    codes,
)
from reimbursement_engine.domain.pricing.fee_schedule import OPEN_END, RateKind
from reimbursement_engine.domain.pricing.schedules import Basis
from reimbursement_engine.domain.pricing.terms import Methodology

CODE_SYSTEMS = {
    "CPT": CodeSystem.CPT_HCPCS,
    "HCPCS": CodeSystem.CPT_HCPCS,
    "CPT/HCPCS": CodeSystem.CPT_HCPCS,
    "HC": CodeSystem.CPT_HCPCS,
    "REV": CodeSystem.REVENUE,
    "NU": CodeSystem.REVENUE,
    "MSDRG": CodeSystem.MS_DRG,
    "MS-DRG": CodeSystem.MS_DRG,
    "DRG": CodeSystem.MS_DRG,
    "APC": CodeSystem.APC,
}
# Unbounded ends of a registry code range, per registry code system (codes compare as text).
_LOWEST = {"CPT": "00000", "HCPCS": "A0000", "REV": "0000", "MSDRG": "001", "APC": "0000"}
_HIGHEST = {"CPT": "9999U", "HCPCS": "Z9999", "REV": "0999", "MSDRG": "999", "APC": "9999"}
_PERCENT_KINDS = {
    "percent_of_medicare": RateKind.PERCENT_OF_MEDICARE,
    "percent_of_charges": RateKind.PERCENT_OF_CHARGES,
}
# Room-and-board revenue codes by level of care, when a per diem rate names only the level.
_LEVEL_REVENUE_CODES = (
    (("nicu", "nursery", "neonatal"), "0170-0179"),
    (("icu", "intensive"), "0200-0209"),
    (("ccu", "coronary"), "0210-0219"),
    (("rehab",), "0118", "0128", "0138", "0148", "0158"),
    (("psych", "behavioral"), "0114", "0124", "0134", "0144", "0154"),
)


class TermsMappingError(ValueError):
    """A payload this mapping cannot read; `path` names the offending field."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path


def decimal(value: Any, path: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise TermsMappingError(path, f"{value!r} is not a decimal")
    try:
        return Decimal(value)
    except InvalidOperation:
        raise TermsMappingError(path, f"{value!r} is not a decimal") from None


def parse_locality(text: str | None) -> LocalityKey | None:
    """ "01112-54", "01112 54" or "0111254" (MAC + locality, as in the GPCI file); None stays None."""
    if not text:
        return None
    cleaned = text.replace("-", "").replace(" ", "")
    if len(cleaned) < 6 or not cleaned.isdigit():
        raise TermsMappingError("medicare_locality", f"{text!r} is not MAC+locality (e.g. 01112-54)")
    return LocalityKey(cleaned[:5], cleaned[5:].zfill(2))


def code_system(name: str, path: str) -> CodeSystem:
    system = CODE_SYSTEMS.get(name.upper())
    if system is None:
        raise TermsMappingError(path, f"unknown code system {name!r}")
    return system


def categories(name: str, matcher: Mapping[str, Any], path: str) -> list[ServiceCategory]:
    """One pricing category per pricing code system the registry matcher's ranges use."""
    by_system: dict[CodeSystem, list[CodeRange]] = {}
    unbounded: set[CodeSystem] = set()
    for i, item in enumerate(matcher.get("ranges") or []):
        raw_system = str(item.get("code_system", ""))
        system = code_system(raw_system, f"{path}.ranges[{i}].code_system")
        first, last = item.get("first"), item.get("last")
        if first is None and last is None and raw_system.upper() not in ("CPT", "HCPCS"):
            unbounded.add(system)
            continue
        low = first or _LOWEST.get(raw_system.upper(), "0" * len(last or ""))
        high = last or _HIGHEST.get(raw_system.upper(), "9" * len(low))
        by_system.setdefault(system, []).append(CodeRange(low, high))
    out = [ServiceCategory(name, system, ()) for system in unbounded]
    out += [ServiceCategory(name, s, tuple(r)) for s, r in by_system.items() if s not in unbounded]
    return out


def fee_schedule(name: str, rows: Iterable[Mapping[str, Any]]) -> FeeSchedule:
    """Registry rows as pricing rows: dollar kinds (amount, per diem, case rate) as rate x units,
    percent_of_medicare / percent_of_charges rows as a percentage of the code's Medicare allowed
    or of the line's charges."""
    return FeeSchedule(name, tuple(_row(row, f"fee_schedule.rows[{i}]") for i, row in enumerate(rows)))


def _row(row: Mapping[str, Any], path: str) -> FeeScheduleRow:
    kind = _PERCENT_KINDS.get(str(row.get("rate_kind") or "amount"), RateKind.AMOUNT)
    figure = "amount" if kind is RateKind.AMOUNT else "percentage"
    if row.get(figure) is None:
        raise TermsMappingError(f"{path}.{figure}", f"required for a {row.get('rate_kind')} row")
    setting = row.get("setting")
    return FeeScheduleRow(
        code_system=code_system(str(row.get("code_system", "")), f"{path}.code_system"),
        code=str(row["code"]),
        rate=decimal(row[figure], f"{path}.{figure}"),
        modifiers=tuple(row.get("modifiers") or ()),
        place_of_service=row.get("place_of_service"),
        setting=None if setting is None else _setting(setting),
        effective_from=date.fromisoformat(row.get("effective_from") or "1900-01-01"),
        effective_to=date.fromisoformat(row["effective_to"]) if row.get("effective_to") else OPEN_END,
        kind=kind,
    )


def _setting(text: str) -> Setting:
    return Setting.FACILITY if text == "facility" else Setting.NON_FACILITY


def _outlier(stop_loss: Mapping[str, Any] | None, path: str) -> Outlier | None:
    if not stop_loss:
        return None
    return Outlier(
        decimal(stop_loss["threshold"], f"{path}.threshold"), decimal(stop_loss["percent"], f"{path}.percent")
    )


def _per_diem(method: Mapping[str, Any], path: str) -> PerDiem:
    levels = []
    for i, rate in enumerate(method.get("rates") or []):
        level = str(rate.get("level_of_care", ""))
        explicit = rate.get("revenue_codes")
        ranges = codes(*explicit) if explicit else _level_codes(level)
        levels.append(LevelOfCare(level, ranges, decimal(rate.get("rate"), f"{path}.rates[{i}].rate")))
    return PerDiem(tuple(levels))


def _level_codes(level: str) -> tuple[CodeRange, ...]:
    lowered = level.lower()
    for words, *items in _LEVEL_REVENUE_CODES:
        if any(word in lowered for word in words):
            return codes(*items)
    return codes("0100-0169")  # medical/surgical room and board


def methodology(
    method: Mapping[str, Any], path: str, schedule: FeeSchedule, stop_loss: Outlier | None
) -> Methodology:
    kind = method.get("kind")
    if kind == "fee_schedule":
        return FeeScheduleRate(schedule)
    if kind == "percent_of_medicare":
        locality = parse_locality(method.get("locality") or method.get("medicare_locality"))
        basis = method.get("basis_year")
        percent = decimal(method.get("percent"), f"{path}.percent")
        year = None if basis is None else _year(basis, path)
        return PercentOfMedicare(percent, locality, year, _medicare_basis(method.get("basis"), path))
    if kind == "percent_of_charges":
        return PercentOfCharges(decimal(method.get("percent"), f"{path}.percent"))
    if kind == "per_diem":
        return _per_diem(method, path)
    if kind == "case_rate":
        return CaseRate(decimal(method.get("rate"), f"{path}.rate"), stop_loss)
    if kind == "ms_drg":
        return _ms_drg(method, path, stop_loss)
    if kind == "capitation":
        return Capitation(decimal(method.get("pmpm"), f"{path}.pmpm"))
    if kind == "invoice_cost":
        return InvoiceCostPlus(decimal(method.get("markup_percent", "0"), f"{path}.markup_percent"))
    raise TermsMappingError(f"{path}.kind", f"unknown methodology {kind!r}")


def _medicare_basis(value: Any, path: str) -> str | None:
    """The schedule a % of Medicare term names (absent: by the claim's setting)."""
    if value is None:
        return None
    if value not in {basis.value for basis in Basis}:
        raise TermsMappingError(f"{path}.basis", f"{value!r} is not a Medicare schedule")
    return str(value)


def _year(value: Any, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).isdigit():
        raise TermsMappingError(f"{path}.basis_year", f"{value!r} is not a year")
    return int(value)


def _ms_drg(method: Mapping[str, Any], path: str, stop_loss: Outlier | None) -> MsDrg:
    outlier = stop_loss
    if method.get("outlier_threshold") is not None:
        outlier = _outlier(
            {"threshold": method["outlier_threshold"], "percent": method["outlier_percent"]}, path
        )
    weights = {
        str(drg): decimal(weight, f"{path}.relative_weights.{drg}")
        for drg, weight in (method.get("relative_weights") or {}).items()
    }
    return MsDrg(decimal(method.get("base_rate"), f"{path}.base_rate"), weights, outlier)


def _mppr(term: Mapping[str, Any], path: str) -> MultipleProcedureReduction | None:
    rule = term.get("multiple_procedure_reduction")
    if not rule:
        return None
    percentages = tuple(
        decimal(p, f"{path}.multiple_procedure_reduction.percentages[{i}]")
        for i, p in enumerate(rule.get("percentages") or ())
    )
    return MultipleProcedureReduction(percentages) if percentages else MultipleProcedureReduction()


def payment_terms(term: Mapping[str, Any], path: str, schedule: FeeSchedule) -> list[PaymentTerm]:
    """A registry payment term becomes one pricing term per code system it covers."""
    name = str(term.get("name") or term.get("service_category") or "term")
    stop_loss = _outlier(term.get("stop_loss"), f"{path}.stop_loss")
    method = methodology(term.get("methodology") or {}, f"{path}.methodology", schedule, stop_loss)
    mppr = _mppr(term, path)
    lesser_of = bool(term.get("lesser_of_billed", False))
    matched = categories(name, term.get("matcher") or {}, f"{path}.matcher")
    if not matched and isinstance(method, Capitation):
        matched = [ServiceCategory(name, CodeSystem.CPT_HCPCS, ())]
    return [PaymentTerm(name, category, method, lesser_of, mppr) for category in matched]


def carve_outs(term: Mapping[str, Any], path: str, schedule: FeeSchedule) -> list[PaymentTerm]:
    out: list[PaymentTerm] = []
    for i, carve in enumerate(term.get("carve_outs") or []):
        where = f"{path}.carve_outs[{i}]"
        method = methodology(carve.get("methodology") or {}, f"{where}.methodology", schedule, None)
        name = str(carve.get("name") or "carve-out")
        out += [PaymentTerm(name, c, method) for c in categories(name, carve.get("matcher") or {}, where)]
    return out


def contract_terms(
    version: Mapping[str, Any], schedule_rows: Iterable[Mapping[str, Any]] = ()
) -> ContractTerms:
    """A ContractVersionData payload (+ its fee schedule's rows) as the pricing domain's terms."""
    from reimbursement_engine.adapters.terms_modifiers import escalator, floors  # it imports this module

    terms_json = list(version.get("payment_terms") or [])
    ref = version.get("fee_schedule") or {}
    schedule = fee_schedule(str(ref.get("schedule_id") or "contract fee schedule"), schedule_rows)
    terms: list[PaymentTerm] = []
    carved: list[PaymentTerm] = []
    contract_stop_loss: Outlier | None = None
    for i, term in enumerate(terms_json):
        path = f"payment_terms[{i}]"
        mapped = payment_terms(term, path, schedule)
        terms += mapped
        carved += carve_outs(term, path, schedule)
        if contract_stop_loss is None and mapped and not mapped[0].is_case:
            contract_stop_loss = _outlier(term.get("stop_loss"), f"{path}.stop_loss")
    effective = date.fromisoformat(
        str(version.get("terms", {}).get("effective_date") or version["effective_from"])
    )
    return ContractTerms(
        contract_id=str(version["contract_id"]),
        version=int(version["version"]),
        terms=tuple(terms),
        carve_outs=tuple(carved),
        escalator=escalator(terms_json, effective),
        floors=floors(terms_json),
        stop_loss=contract_stop_loss,
    )
