"""Coverage check: which billed codes the version in force pays, and under which term."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from .codes import BilledCode
from .contract import Contract
from .fee_schedule import FeeSchedule
from .methodologies import CapitationTerm, FeeScheduleTerm
from .payment_terms import PaymentTerm
from .versions import ContractVersion


@dataclass(frozen=True, slots=True)
class CoveredCode:
    """A billed code and the term that pays it (and the carve-out, when one applies)."""

    billed: BilledCode
    term_name: str
    carve_out_name: str | None = None

    def __str__(self) -> str:
        via = f" carve-out {self.carve_out_name}" if self.carve_out_name else ""
        return f"{self.billed}: paid under {self.term_name}{via}"


@dataclass(frozen=True, slots=True)
class UncoveredCode:
    billed: BilledCode
    reason: str


@dataclass(frozen=True, slots=True)
class CoverageReport:
    on: date
    version_number: int
    covered: tuple[CoveredCode, ...]
    not_covered: tuple[UncoveredCode, ...]

    def paid_under(self, billed: BilledCode) -> CoveredCode | None:
        return next((c for c in self.covered if c.billed == billed), None)


def check_coverage(
    contract: Contract,
    billed_codes: Iterable[BilledCode],
    on: date,
    fee_schedule: FeeSchedule | None = None,
) -> CoverageReport:
    """Answer, for the version in force on `on`, which codes are paid and by which term.

    Carve-outs win over every term's own matcher (implant revenue codes carved out of the
    inpatient DRG term are paid at invoice cost). Otherwise the first term, in the order the
    contract lists them, that covers a code pays it. With `fee_schedule`, a code under a
    fee-schedule term needs a rate in force on the date to count as covered.
    """
    return check_version_coverage(contract.version_in_force(on), billed_codes, on, fee_schedule)


def check_version_coverage(
    version: ContractVersion,
    billed_codes: Iterable[BilledCode],
    on: date,
    fee_schedule: FeeSchedule | None = None,
) -> CoverageReport:
    """check_coverage for a given version (a draft's proposed version, say)."""
    covered: list[CoveredCode] = []
    not_covered: list[UncoveredCode] = []
    for billed in dict.fromkeys(billed_codes):
        outcome = _coverage_of(version, billed, on, fee_schedule)
        if isinstance(outcome, CoveredCode):
            covered.append(outcome)
        else:
            not_covered.append(outcome)
    return CoverageReport(on, version.number, tuple(covered), tuple(not_covered))


def _coverage_of(
    version: ContractVersion, billed: BilledCode, on: date, fee_schedule: FeeSchedule | None
) -> CoveredCode | UncoveredCode:
    terms = version.terms.payment_terms
    for carving_term in terms:
        carve_out = carving_term.carve_out_for(billed)
        if carve_out is not None:
            return CoveredCode(billed, carving_term.name, carve_out.name)
    term = next((t for t in terms if _pays_per_code(t) and t.covers(billed)), None)
    if term is None:
        return UncoveredCode(billed, f"no payment term of version {version.number} covers {billed}")
    needs_rate = isinstance(term.methodology, FeeScheduleTerm) and fee_schedule is not None
    if needs_rate and fee_schedule is not None and not fee_schedule.rows_for(billed, on):
        return UncoveredCode(
            billed,
            f"{billed} falls under {term.name} (fee schedule) but the fee schedule has "
            f"no rate for it on {on.isoformat()}",
        )
    return CoveredCode(billed, term.name)


def _pays_per_code(term: PaymentTerm) -> bool:
    return not isinstance(term.methodology, CapitationTerm)
