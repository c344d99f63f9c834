"""Recovery projects: open variances grouped by root cause, payer and contract, so that one payer
loading error is one project to work (not 400 lines), triaged by the organisation's rules and
ordered by what can be recovered and how many days are left to appeal.

Days left: the appeal window runs from the remittance date (the oldest of a project's variances,
whose deadline comes first); the timely-filing window (to send a corrected claim) from the date of
service. A project is set aside, with the reason, when its payer or all its codes are not worth
appealing, its amount is below the organisation's minimum, or its appeal window has passed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class TriageRules:
    minimum_amount: Decimal = ZERO
    excluded_codes: frozenset[str] = frozenset()
    excluded_payers: frozenset[str] = frozenset()
    appeal_window_days: int = 180
    timely_filing_days: int = 90


@dataclass(frozen=True, slots=True)
class OpenVariance:
    """One open, recoverable variance with the cause it is worked under."""

    variance_id: str
    claim_id: str
    payer_id: str
    contract_id: str | None
    cause: str
    amount: Decimal
    remittance_date: date
    service_date: date
    codes: tuple[str, ...]


@dataclass
class Project:
    cause: str
    payer_id: str
    contract_id: str | None
    amount: Decimal = ZERO
    variance_ids: list[str] = field(default_factory=list)
    codes: set[str] = field(default_factory=set)
    oldest_remittance: date | None = None
    earliest_service: date | None = None
    appeal_deadline: date | None = None
    appeal_days_left: int = 0
    filing_deadline: date | None = None
    filing_days_left: int = 0
    set_aside: str | None = None  # why it is not worth appealing (None: work it)

    @property
    def variance_count(self) -> int:
        return len(self.variance_ids)

    def add(self, v: OpenVariance) -> None:
        self.amount += v.amount
        self.variance_ids.append(v.variance_id)
        self.codes.update(v.codes)
        if self.oldest_remittance is None or v.remittance_date < self.oldest_remittance:
            self.oldest_remittance = v.remittance_date
        if self.earliest_service is None or v.service_date < self.earliest_service:
            self.earliest_service = v.service_date


@dataclass
class Triage:
    projects: list[Project]  # to work: largest amount first, then fewest days left
    set_aside: list[Project]

    @property
    def total(self) -> Decimal:
        return sum((p.amount for p in self.projects), ZERO)


def _windows(project: Project, rules: TriageRules, today: date) -> None:
    if project.oldest_remittance is not None:
        project.appeal_deadline = project.oldest_remittance + timedelta(days=rules.appeal_window_days)
        project.appeal_days_left = (project.appeal_deadline - today).days
    if project.earliest_service is not None:
        project.filing_deadline = project.earliest_service + timedelta(days=rules.timely_filing_days)
        project.filing_days_left = (project.filing_deadline - today).days


def _reason_to_set_aside(project: Project, rules: TriageRules) -> str | None:
    if project.payer_id in rules.excluded_payers:
        return f"payer {project.payer_id} is not worth appealing"
    if project.codes and project.codes <= rules.excluded_codes:
        return f"codes {', '.join(sorted(project.codes))} are not worth appealing"
    if project.amount < rules.minimum_amount:
        return f"${project.amount:,} is below the minimum worth appealing (${rules.minimum_amount:,})"
    if project.appeal_days_left < 0:
        return f"the appeal window closed on {project.appeal_deadline}"
    return None


def triage(variances: Iterable[OpenVariance], rules: TriageRules, today: date) -> Triage:
    """Projects by (cause, payer, contract), each with its windows left and whether to work it."""
    keyed: dict[tuple[str, str, str | None], Project] = {}
    for v in variances:
        key = (v.cause, v.payer_id, v.contract_id)
        keyed.setdefault(key, Project(*key)).add(v)
    work: list[Project] = []
    aside: list[Project] = []
    for project in keyed.values():
        _windows(project, rules, today)
        project.set_aside = _reason_to_set_aside(project, rules)
        (aside if project.set_aside else work).append(project)
    return Triage(sorted(work, key=_order), sorted(aside, key=_order))


def _order(p: Project) -> tuple[Decimal, int, str, str]:
    return (-p.amount, p.appeal_days_left, p.cause, p.payer_id)
