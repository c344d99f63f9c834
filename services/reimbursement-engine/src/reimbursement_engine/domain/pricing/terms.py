"""Contract payment terms: one methodology per service category, plus the modifiers around it.

Percentages are whole numbers (140 = 140%). Escalators raise dollar rates only (fee schedule, per
diem, case rate, DRG base rate, PMPM), never percentages.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from .codes import CodeRange, CodeSystem, ServiceCategory
from .escalators import Escalator
from .fee_schedule import FeeSchedule
from .medicare import LocalityKey


@dataclass(frozen=True, slots=True)
class FeeScheduleRate:
    """Fixed fee schedule: row rate x units."""

    fee_schedule: FeeSchedule


@dataclass(frozen=True, slots=True)
class PercentOfMedicare:
    """pct x Medicare allowed (RBRVS) x units; a locality stated on the claim wins over `locality`,
    which wins over the locality of the location that rendered the service.

    `basis_year` fixes the Medicare year (RVUs, GPCIs, and the conversion factor in force on the
    same month and day of that year); None prices with the year of service.
    """

    percent: Decimal
    locality: LocalityKey | None = None
    basis_year: int | None = None
    # which Medicare schedule ("PFS", "ASC", "OPPS", "CLFS", "DMEPOS"); None: by the claim's setting
    basis: str | None = None


@dataclass(frozen=True, slots=True)
class PercentOfCharges:
    """pct x billed charges."""

    percent: Decimal


@dataclass(frozen=True, slots=True)
class LevelOfCare:
    """A per diem level (med/surg, ICU ...) recognised by the room-and-board revenue codes billed."""

    name: str
    revenue_codes: tuple[CodeRange, ...]
    rate: Decimal


@dataclass(frozen=True, slots=True)
class PerDiem:
    """Rate per day by level of care; days are the units of the room-and-board line."""

    levels: tuple[LevelOfCare, ...]

    def level_for(self, revenue_code: str) -> LevelOfCare | None:
        for level in self.levels:
            if any(revenue_code in r for r in level.revenue_codes):
                return level
        return None


@dataclass(frozen=True, slots=True)
class InvoiceCostPlus:
    """Invoice cost + markup (implants and other carve-outs); needs the line's invoice cost."""

    markup_percent: Decimal


@dataclass(frozen=True, slots=True)
class Included:
    """Paid as part of another payment (e.g. ancillaries under an all-inclusive per diem): 0."""

    included_in: str


@dataclass(frozen=True, slots=True)
class Capitation:
    """PMPM paid per member month outside claims; capitated claim lines price at 0."""

    pmpm: Decimal


@dataclass(frozen=True, slots=True)
class Outlier:
    """Above `charge_threshold` of claim charges, pay `percent` of the charges above it (add-on)."""

    charge_threshold: Decimal
    percent: Decimal


@dataclass(frozen=True, slots=True)
class CaseRate:
    """Flat amount per case: one payment for the claim, the other lines are included."""

    rate: Decimal
    outlier: Outlier | None = None


@dataclass(frozen=True, slots=True)
class MsDrg:
    """DRG relative weight x base rate (+ outlier), once per inpatient claim."""

    base_rate: Decimal
    relative_weights: Mapping[str, Decimal]
    outlier: Outlier | None = None


LineMethodology = (
    FeeScheduleRate | PercentOfMedicare | PercentOfCharges | PerDiem | InvoiceCostPlus | Included | Capitation
)
CaseMethodology = CaseRate | MsDrg
Methodology = LineMethodology | CaseMethodology


@dataclass(frozen=True, slots=True)
class MultipleProcedureReduction:
    """Highest-valued eligible procedure at percentages[0], next at [1] ..., the last repeating.

    Eligible: codes listed in `eligible_codes`, or (when `use_medicare_indicator`) codes whose
    Medicare MULT_PROC indicator is 2 or 3.
    """

    percentages: tuple[Decimal, ...] = (Decimal(100), Decimal(50))
    eligible_codes: frozenset[str] = frozenset()
    use_medicare_indicator: bool = True

    def percent_for_rank(self, rank: int) -> Decimal:
        return self.percentages[min(rank, len(self.percentages) - 1)]


@dataclass(frozen=True, slots=True)
class PaymentTerm:
    """How one service category is paid."""

    name: str
    category: ServiceCategory
    methodology: Methodology
    lesser_of_charges: bool = False
    multiple_procedure: MultipleProcedureReduction | None = None
    escalate: bool = True
    # how the explanation names the term on each line it prices (made once, not per line)
    as_term: str = field(init=False, compare=False, repr=False)
    as_carve_out: str = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "as_term", f"term {self.name}: {self.category.description}")
        object.__setattr__(self, "as_carve_out", f"carve-out {self.name}: {self.category.description}")

    @property
    def is_case(self) -> bool:
        return isinstance(self.methodology, CaseRate | MsDrg)


@dataclass(frozen=True, slots=True)
class ContractTerms:
    """The payment terms of the contract version in force for the claim.

    Carve-outs are tried first, then `terms` in order (the first covering term prices the line).
    `floors` are per-unit minimums the organisation accepts, keyed by (code system, code).
    """

    contract_id: str
    version: int
    terms: tuple[PaymentTerm, ...]
    carve_outs: tuple[PaymentTerm, ...] = ()
    escalator: Escalator | None = None
    floors: Mapping[tuple[CodeSystem, str], Decimal] = field(default_factory=dict)
    stop_loss: Outlier | None = None
    # memo of term selection by (code system, code, revenue code, POS); filled by selection.py
    selection_cache: dict[tuple[object, ...], tuple[PaymentTerm | None, bool]] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )

    @property
    def label(self) -> str:
        return f"contract {self.contract_id} v{self.version}"
