"""Contract versions: immutable snapshots of the terms, each in force over its own dates.

`effective_to` is the last day a version is in force (inclusive); None means open-ended.
Versions of a contract follow each other without gap or overlap.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from .deliverables import CredentialingDate, ReportingDeliverable
from .errors import InvalidContractTerms, VersionGap, VersionOverlap
from .fee_schedule import FeeScheduleRef
from .payment_terms import PaymentTerm
from .validation import require_date, require_days, require_percent
from .value_based import ValueBasedTerms

_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True, kw_only=True)
class ContractTerms:
    """The terms a version fixes: dates, renewal, operational deadlines and how services are paid."""

    effective_date: date
    termination_date: date | None = None
    auto_renew: bool = False
    renewal_term_months: int | None = None
    notice_days: int | None = None
    timely_filing_days: int | None = None
    appeal_window_days: int | None = None
    prompt_pay_days: int | None = None
    prompt_pay_interest_rate: Decimal | None = None
    payment_terms: tuple[PaymentTerm, ...] = ()
    fee_schedule: FeeScheduleRef | None = None
    value_based: ValueBasedTerms | None = None
    credentialing: tuple[CredentialingDate, ...] = ()
    reporting_deliverables: tuple[ReportingDeliverable, ...] = ()

    def __post_init__(self) -> None:
        require_date(InvalidContractTerms, "effective_date", self.effective_date)
        require_date(InvalidContractTerms, "termination_date", self.termination_date)
        if self.termination_date is not None and self.termination_date < self.effective_date:
            raise InvalidContractTerms(
                "termination_date",
                f"{self.termination_date.isoformat()} is before the effective date "
                f"{self.effective_date.isoformat()}",
            )
        for name in ("notice_days", "timely_filing_days", "appeal_window_days", "prompt_pay_days"):
            require_days(InvalidContractTerms, name, getattr(self, name))
        require_days(InvalidContractTerms, "renewal_term_months", self.renewal_term_months, unit="months")
        if self.auto_renew and self.renewal_term_months is None:
            raise InvalidContractTerms("renewal_term_months", "required when the contract auto-renews")
        if self.prompt_pay_interest_rate is not None:
            require_percent(InvalidContractTerms, "prompt_pay_interest_rate", self.prompt_pay_interest_rate)
        names = [term.name for term in self.payment_terms]
        if len(set(names)) != len(names):
            raise InvalidContractTerms("payment_terms", f"term names repeat: {names}")
        if self.reporting_deliverables and not (self.value_based and self.value_based.measures):
            raise InvalidContractTerms(
                "reporting_deliverables", "reports follow measurement periods: state value-based measures"
            )


@dataclass(frozen=True, slots=True, kw_only=True)
class ContractVersion:
    """Version `number` of a contract's terms, in force from `effective_from` to `effective_to`."""

    number: int
    effective_from: date
    effective_to: date | None
    terms: ContractTerms
    retroactive: bool = False
    payer_initiated: bool = False
    objection_window_days: int | None = None

    def __post_init__(self) -> None:
        if self.number < 1:
            raise InvalidContractTerms("number", f"versions are numbered from 1, got {self.number}")
        require_date(InvalidContractTerms, "effective_from", self.effective_from)
        require_date(InvalidContractTerms, "effective_to", self.effective_to)
        if self.effective_to is not None and self.effective_to < self.effective_from:
            raise InvalidContractTerms(
                "effective_to",
                f"{self.effective_to.isoformat()} is before effective_from {self.effective_from.isoformat()}",
            )
        if self.effective_from < self.terms.effective_date:
            raise InvalidContractTerms(
                "effective_from",
                f"version {self.number} starts {self.effective_from.isoformat()}, before the "
                f"contract's effective date {self.terms.effective_date.isoformat()}",
            )
        require_days(InvalidContractTerms, "objection_window_days", self.objection_window_days)
        if self.payer_initiated != (self.objection_window_days is not None):
            raise InvalidContractTerms(
                "objection_window_days",
                "a payer-initiated amendment states its objection window, and only it does",
            )

    def in_force_on(self, on: date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)

    def describe(self) -> str:
        """ "version 2 (2024-01-01 to open-ended)"."""
        until = self.effective_to.isoformat() if self.effective_to else "open-ended"
        return f"version {self.number} ({self.effective_from.isoformat()} to {until})"


def version_in_force(versions: tuple[ContractVersion, ...], on: date) -> ContractVersion | None:
    """The version whose dates cover `on`, or None."""
    return next((version for version in versions if version.in_force_on(on)), None)


def append_version(
    versions: tuple[ContractVersion, ...],
    terms: ContractTerms,
    *,
    effective_from: date,
    today: date,
    effective_to: date | None = None,
    payer_initiated: bool = False,
    objection_window_days: int | None = None,
) -> tuple[ContractVersion, ...]:
    """Add the next version; an open-ended latest version is closed the day before it starts.

    A version starting before `today` is marked retroactive: claims already priced under the
    version it replaces must be re-priced.
    """
    new = ContractVersion(
        number=len(versions) + 1,
        effective_from=effective_from,
        effective_to=effective_to,
        terms=terms,
        retroactive=effective_from < today,
        payer_initiated=payer_initiated,
        objection_window_days=objection_window_days,
    )
    if not versions:
        return (new,)
    latest = versions[-1]
    _check_follows(latest, new)
    if latest.effective_to is None:
        latest = replace(latest, effective_to=effective_from - _DAY)
    return (*versions[:-1], latest, new)


def _check_follows(latest: ContractVersion, new: ContractVersion) -> None:
    start = new.effective_from.isoformat()
    if latest.effective_to is None:
        if new.effective_from <= latest.effective_from:
            raise VersionOverlap(
                f"version {new.number} from {start} overlaps {latest.describe()}: "
                f"an amendment must start after {latest.effective_from.isoformat()}"
            )
        return
    day_after = latest.effective_to + _DAY
    if new.effective_from < day_after:
        raise VersionOverlap(
            f"version {new.number} from {start} overlaps {latest.describe()}: "
            f"it may start on {day_after.isoformat()}, the day after version {latest.number} ends"
        )
    if new.effective_from > day_after:
        raise VersionGap(
            f"version {new.number} from {start} leaves a gap after {latest.describe()}: "
            f"no version would be in force from {day_after.isoformat()} "
            f"to {(new.effective_from - _DAY).isoformat()}"
        )


def end_versions(versions: tuple[ContractVersion, ...], last_day: date) -> tuple[ContractVersion, ...]:
    """Close the latest version on `last_day` (termination); later versions are not allowed."""
    if not versions:
        return versions
    latest = versions[-1]
    if last_day < latest.effective_from:
        raise VersionOverlap(
            f"cannot end the contract on {last_day.isoformat()}: {latest.describe()} starts later"
        )
    if latest.effective_to is not None and latest.effective_to <= last_day:
        return versions
    return (*versions[:-1], replace(latest, effective_to=last_day))


def restate_versions(proposed: tuple[ContractVersion, ...], today: date) -> tuple[ContractVersion, ...]:
    """Proposed versions put in force today: retroactive is judged against the activation day."""
    versions: tuple[ContractVersion, ...] = ()
    for version in proposed:
        versions = append_version(
            versions,
            version.terms,
            effective_from=version.effective_from,
            today=today,
            payer_initiated=version.payer_initiated,
            objection_window_days=version.objection_window_days,
        )
    return versions


def revise_latest(
    versions: tuple[ContractVersion, ...], terms: ContractTerms, *, today: date
) -> tuple[ContractVersion, ...]:
    """A draft edited in place: the latest proposed version takes new terms, same number and dates.

    A draft is not yet in force, so when the terms move the contract's effective date (later or
    earlier), version 1 moves with it and every proposed version's terms carry the new date; a
    further proposed version must still start after it.
    """
    start = terms.effective_date
    if start == versions[-1].terms.effective_date:
        return (*versions[:-1], replace(versions[-1], terms=terms))
    moved: tuple[ContractVersion, ...] = ()
    for version in versions:
        if version.number > 1 and version.effective_from <= start:
            raise InvalidContractTerms(
                "effective_date",
                f"{start.isoformat()} is not before {version.describe()}: a draft's further "
                "versions must start after its effective date",
            )
        moved = append_version(
            moved,
            terms if version is versions[-1] else replace(version.terms, effective_date=start),
            effective_from=start if version.number == 1 else version.effective_from,
            today=today,
            payer_initiated=version.payer_initiated,
            objection_window_days=version.objection_window_days,
        )
    return moved


def add_months(start: date, months: int) -> date:
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))
