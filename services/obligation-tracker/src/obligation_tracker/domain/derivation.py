"""The obligations a contract version implies.

Deadlines the provider must act by (notice, objection, reports, credentialing) fall on business
days: a computed date on a weekend or holiday is pulled back to the preceding business day.
Events (renewal, expiry, escalators, period ends) keep their contractual date, and so does the
renewal notice of a contract that ends on a termination date (the clause names that very date).
Evergreen cycles and anniversaries start from ``today``; dates already past are still derived, and
reconciliation decides what to do with them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from obligation_tracker.domain.business_calendar import OrgSchedule, add_days, add_years
from obligation_tracker.domain.contract_terms import (
    ContractVersionSnapshot,
    NamedDateEscalator,
    describe_rises,
)
from obligation_tracker.domain.model import Obligation, ObligationKey, ObligationKind
from obligation_tracker.domain.renewals import expiry_date, next_renewal, notice_deadline

Kind = ObligationKind


@dataclass(frozen=True)
class Derivation:
    """The obligations a version implies, and why the kinds it does not imply are absent."""

    version_number: int
    obligations: tuple[Obligation, ...]
    absence_reasons: dict[ObligationKind, str] = field(default_factory=dict)

    def why_absent(self, kind: ObligationKind) -> str:
        return self.absence_reasons.get(kind, "no longer in the contract terms")


@dataclass(frozen=True)
class _Builder:
    version: ContractVersionSnapshot
    schedule: OrgSchedule

    def obligation(
        self, kind: ObligationKind, discriminator: str, title: str, due: date, why: str
    ) -> Obligation:
        key = ObligationKey(kind, self.version.contract_id, None, discriminator)
        reason = f"{why} (version {self.version.version_number})"
        full_title = f"{title}: {self.version.contract_name}"
        return Obligation.new(key, full_title, due, self.schedule.due_at(due), reason)

    def act_by(self, computed: date) -> tuple[date, str]:
        """The business day to act by, and a note when it moved off a weekend or holiday."""
        business_day = self.schedule.business_calendar.preceding_business_day(computed)
        if business_day == computed:
            return computed, ""
        return business_day, f"; {computed} is not a business day"


def derive_obligations(version: ContractVersionSnapshot, schedule: OrgSchedule, today: date) -> Derivation:
    """All obligations ``version`` implies as of ``today`` (the org's local date)."""
    builder = _Builder(version, schedule)
    obligations = [
        *_term_end_obligations(builder, today),
        *_escalator_obligations(builder, today),
        *_objection_window_obligations(builder),
        *_value_based_obligations(builder),
        *_credentialing_obligations(builder),
    ]
    return Derivation(version.version_number, tuple(obligations), _absence_reasons(version))


def _term_end_obligations(builder: _Builder, today: date) -> list[Obligation]:
    version = builder.version
    if not version.auto_renew:
        end = expiry_date(version)
        expiry = builder.obligation(Kind.EXPIRY, "", "Contract expires", end, "term ends")
        return [expiry, *_renegotiation_notice(builder)]
    renewal = next_renewal(version, today)
    discriminator = f"term {renewal.term_number}"
    renews_on = renewal.renewal_date
    found = [
        builder.obligation(Kind.RENEWAL, discriminator, "Contract renews", renews_on, "evergreen term ends")
    ]
    if version.notice_days > 0:
        business = builder.schedule.business_calendar
        day_count = version.notice_day_count
        due = notice_deadline(renews_on, version.notice_days, day_count, business)
        why = f"renewal on {renews_on} less {version.notice_days} {day_count.value} days notice"
        title = "Last day to give notice of non-renewal"
        found.append(builder.obligation(Kind.RENEWAL_NOTICE, discriminator, title, due, why))
    return found


def _renegotiation_notice(builder: _Builder) -> list[Obligation]:
    """A contract that ends on a termination date still asks for notice: renew or renegotiate.

    Due ``termination_date`` minus ``notice_days`` exactly as the contract counts them (calendar by
    default) and not pulled back to a business day, since the clause names that date; the reason
    says when it falls on a weekend or holiday so staff can send the notice earlier.
    """
    version = builder.version
    if version.termination_date is None or version.notice_days <= 0:
        return []
    business = builder.schedule.business_calendar
    ends, days, day_count = version.termination_date, version.notice_days, version.notice_day_count
    due = add_days(ends, -days, day_count, business)
    note = "" if business.is_business_day(due) else f"; {due} is not a business day"
    why = f"term ends {ends} less {days} {day_count.value} days notice{note}"
    key = ObligationKey(Kind.RENEWAL_NOTICE, version.contract_id, None, "term 1")
    title = (
        f"Renewal notice for {version.contract_name}: tell the payer by {due}"
        " whether you will renew or renegotiate"
    )
    reason = f"{why} (version {version.version_number})"
    return [Obligation.new(key, title, due, builder.schedule.due_at(due), reason)]


def _escalator_obligations(builder: _Builder, today: date) -> list[Obligation]:
    """One obligation per date rates rise: each named date, and each anniversary of the effective
    date through the current term. Escalators of several payment terms on one date share it."""
    version = builder.version
    by_date: dict[date, list[NamedDateEscalator]] = {}
    for escalator in version.named_escalators:
        if escalator.effective_on <= version.effective_date:
            continue  # rates start at the escalated level: nothing rises
        by_date.setdefault(escalator.effective_on, []).append(escalator)
    found = [
        builder.obligation(
            Kind.ESCALATOR,
            f"dated {on.isoformat()}",
            f"Rates rise {describe_rises(escalators)}",
            on,
            "escalator dated in the contract",
        )
        for on, escalators in sorted(by_date.items())
    ]
    if not version.anniversary_escalators:
        return found
    title = f"Rates rise {describe_rises(version.anniversary_escalators)}"
    for year in _anniversary_years(version, today):
        on = add_years(version.effective_date, year)
        why = f"anniversary {year} of the effective date {version.effective_date}"
        found.append(builder.obligation(Kind.ESCALATOR, f"anniversary {year}", title, on, why))
    return found


def _anniversary_years(version: ContractVersionSnapshot, today: date) -> list[int]:
    """Anniversaries from the next one on or after ``today`` through the end of the current term."""
    last = next_renewal(version, today).renewal_date if version.auto_renew else expiry_date(version)
    year = 1
    while add_years(version.effective_date, year) < today:
        year += 1
    years = []
    while add_years(version.effective_date, year) <= last:
        years.append(year)
        year += 1
    return years


def _objection_window_obligations(builder: _Builder) -> list[Obligation]:
    found = []
    business = builder.schedule.business_calendar
    for amendment in builder.version.payer_amendments:
        days = amendment.objection_window_days
        computed = add_days(amendment.notified_on, days, amendment.day_count, business)
        due, note = builder.act_by(computed)
        why = (
            f"payer amendment {amendment.reference} notified {amendment.notified_on}"
            f" + {days} {amendment.day_count.value} days{note}"
        )
        title = f"Last day to object to payer amendment {amendment.reference}"
        found.append(builder.obligation(Kind.OBJECTION_WINDOW, amendment.reference, title, due, why))
    return found


def _value_based_obligations(builder: _Builder) -> list[Obligation]:
    terms = builder.version.value_based
    if terms is None:
        return []
    business = builder.schedule.business_calendar
    found = []
    for period in terms.measurement_periods:
        title = f"Measurement period {period.label} ends"
        why = f"value-based measurement period {period.start} to {period.end}"
        found.append(builder.obligation(Kind.MEASUREMENT_PERIOD_END, period.label, title, period.end, why))
        for report in terms.deliverables:
            computed = add_days(period.end, report.days_after_period_end, report.day_count, business)
            due, note = builder.act_by(computed)
            why = (
                f"{report.name} due {report.days_after_period_end} {report.day_count.value}"
                f" days after period {period.label} ends{note}"
            )
            discriminator = f"{report.name} / {period.label}"
            title = f"{report.name} for {period.label} due"
            found.append(builder.obligation(Kind.VBC_REPORT, discriminator, title, due, why))
    return found


def _credentialing_obligations(builder: _Builder) -> list[Obligation]:
    found = []
    for event in builder.version.credentialing:
        due, note = builder.act_by(event.due_on)
        why = f"credentialing date {event.due_on} in the contract{note}"
        title = event.label[:1].upper() + event.label[1:]
        found.append(builder.obligation(Kind.CREDENTIALING, event.label, title, due, why))
    return found


def _absence_reasons(version: ContractVersionSnapshot) -> dict[ObligationKind, str]:
    if version.auto_renew:
        reasons = {Kind.EXPIRY: "the contract now renews automatically"}
        if version.notice_days == 0:
            reasons[Kind.RENEWAL_NOTICE] = "no notice period"
    else:
        reasons = {
            Kind.RENEWAL: "auto-renew turned off",
            Kind.RENEWAL_NOTICE: "auto-renew turned off",
        }
    return {
        **reasons,
        Kind.ESCALATOR: "escalator no longer in the contract",
        Kind.OBJECTION_WINDOW: "payer amendment no longer pending",
        Kind.VBC_REPORT: "reporting deliverable no longer in the value-based terms",
        Kind.MEASUREMENT_PERIOD_END: "measurement period no longer in the value-based terms",
        Kind.CREDENTIALING: "credentialing date no longer in the contract",
    }
