"""The contract aggregate: lifecycle, approval workflow and versions; it records its own events."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from .errors import (
    AlreadyApproved,
    ApprovalsMissing,
    IllegalTransition,
    InvalidContractTerms,
    NoVersionInForce,
    UnknownApproverRole,
)
from .events import (
    ContractActivated,
    ContractAmended,
    ContractCorrected,
    ContractCreated,
    ContractEvent,
    ContractRenewed,
    ContractRevised,
    ContractTerminated,
    ContractVersionWithdrawn,
)
from .future_versions import correct_latest, withdraw_latest
from .scope import ContractScope
from .segregation import check_segregation
from .status import ALLOWED_FROM, ContractStatus, LineOfBusiness, ReviewDecision
from .validation import require_days
from .versions import (
    ContractTerms,
    ContractVersion,
    add_months,
    append_version,
    end_versions,
    restate_versions,
    revise_latest,
    version_in_force,
)

S = ContractStatus


@dataclass(slots=True, eq=False)
class Contract:
    """One provider organisation's contract with one payer (optionally limited to plans).

    Draft terms are edited until every required role approves; activation makes them version 1.
    `revision` counts the changes it recorded: each published event carries its own, so consumers
    apply the newest content of a version, not only a newer version number.
    """

    id: str
    provider_organisation_id: str
    payer_id: str
    line_of_business: LineOfBusiness
    draft_terms: ContractTerms
    plan_ids: tuple[str, ...] = ()
    required_approver_roles: frozenset[str] = frozenset()
    status: ContractStatus = ContractStatus.DRAFT
    approvals: tuple[ReviewDecision, ...] = ()
    rejections: tuple[ReviewDecision, ...] = ()
    versions: tuple[ContractVersion, ...] = ()
    proposed: tuple[ContractVersion, ...] = ()
    revision: int = 0
    submitted_by: str | None = None
    """The key holder who submitted it for review: they may not approve it."""
    events: list[ContractEvent] = field(default_factory=list)
    scope: ContractScope = field(default_factory=ContractScope)

    @classmethod
    def create(
        cls,
        *,
        id: str,
        provider_organisation_id: str,
        payer_id: str,
        line_of_business: LineOfBusiness,
        terms: ContractTerms,
        plan_ids: tuple[str, ...] = (),
        required_approver_roles: frozenset[str] = frozenset(),
        scope: ContractScope = ContractScope(),
    ) -> Contract:
        """A new draft contract; records ContractCreated."""
        contract = cls(
            id=id,
            provider_organisation_id=provider_organisation_id,
            payer_id=payer_id,
            line_of_business=line_of_business,
            draft_terms=terms,
            plan_ids=plan_ids,
            required_approver_roles=required_approver_roles,
            scope=scope,
        )
        contract._record(
            ContractCreated(id, provider_organisation_id, payer_id, plan_ids, line_of_business.value)
        )
        return contract

    def drain_events(self) -> list[ContractEvent]:
        """Hand the recorded events to the caller (the unit of work) and forget them."""
        drained, self.events = self.events, []
        return drained

    def revisions_of(self, drained: list[ContractEvent]) -> list[int]:
        """The revision each drained event was recorded at (the last one is `revision`)."""
        first = self.revision - len(drained) + 1
        return list(range(first, self.revision + 1))

    def _record(self, event: ContractEvent) -> None:
        self.revision += 1
        self.events.append(event)

    @property
    def pending_roles(self) -> frozenset[str]:
        return self.required_approver_roles - {approval.role for approval in self.approvals}

    def version_in_force(self, on: date) -> ContractVersion:
        version = version_in_force(self.versions, on)
        if version is None:
            raise NoVersionInForce(self.id, on)
        return version

    def draft_versions(self, today: date) -> tuple[ContractVersion, ...]:
        """The versions the draft would put in force: its terms as version 1, then any proposals."""
        if self.proposed:
            return self.proposed
        start = self.draft_terms.effective_date
        return append_version((), self.draft_terms, effective_from=start, today=today)

    def revise_draft(
        self,
        terms: ContractTerms | None = None,
        *,
        today: date,
        line_of_business: LineOfBusiness | None = None,
        plan_ids: tuple[str, ...] | None = None,
    ) -> ContractVersion:
        """Edit a draft in place: line of business, plans and the terms of its latest proposed
        version (version 1 when nothing further is proposed); records ContractRevised."""
        self._require("revise the draft")
        before = (self.draft_versions(today)[-1], self.line_of_business, self.plan_ids)
        self.line_of_business = line_of_business or self.line_of_business
        self.plan_ids = self.plan_ids if plan_ids is None else plan_ids
        if terms is not None:
            self.proposed = revise_latest(self.draft_versions(today), terms, today=today)
            self.draft_terms = self.proposed[0].terms
        revised = self.draft_versions(today)[-1]
        if before != (revised, self.line_of_business, self.plan_ids):
            self._record(ContractRevised(self.id, revised, before[0]))
        return revised

    def rescope(self, scope: ContractScope, *, today: date) -> None:
        """Change which claims the draft covers; records ContractRevised (same version number)."""
        self._require("revise the draft")
        if scope != self.scope:
            self.scope = scope
            latest = self.draft_versions(today)[-1]
            self.events.append(ContractRevised(self.id, latest, latest))

    def propose_version(
        self,
        terms: ContractTerms,
        *,
        effective_from: date,
        today: date,
        payer_initiated: bool = False,
        objection_window_days: int | None = None,
    ) -> ContractVersion:
        """Revise a draft with a further version; activation puts every proposed version in force."""
        self._require("revise the draft")
        before = self.draft_versions(today)
        self.proposed = append_version(
            before,
            terms,
            effective_from=effective_from,
            today=today,
            payer_initiated=payer_initiated,
            objection_window_days=objection_window_days,
        )
        self._record(ContractAmended(self.id, self.proposed[-1], self.proposed[-2]))
        return self.proposed[-1]

    def submit_for_review(self, submitted_by: str | None = None) -> None:
        self._require("submit for review")
        self.submitted_by = submitted_by
        self.approvals = ()
        self.status = S.APPROVED if not self.required_approver_roles else S.IN_REVIEW

    def approve(self, decision: ReviewDecision, *, distinct_approvers: bool = True) -> None:
        """One required role approves; the last one moves the contract to approved. Segregation of
        duties: the submitter never approves, and with `distinct_approvers` (the organisation's
        setting) each role is approved by a different person."""
        self._require("approve")
        self._check_role(decision.role, "approve")
        if decision.role not in self.pending_roles:
            raise AlreadyApproved(f"contract {self.id}: {decision.role} has already approved")
        check_segregation(self, decision, distinct_approvers=distinct_approvers)
        self.approvals = (*self.approvals, decision)
        if not self.pending_roles:
            self.status = S.APPROVED

    def reject(self, decision: ReviewDecision) -> None:
        """A required role rejects: back to draft, approvals so far are void."""
        self._require("reject")
        self._check_role(decision.role, "reject")
        if not decision.comment.strip():
            raise InvalidContractTerms("comment", "a rejection must say why")
        self.rejections = (*self.rejections, decision)
        self.approvals = ()
        self.status = S.DRAFT

    def activate(self, today: date) -> None:
        """Approved draft terms become version 1, in force from the contract's effective date."""
        if self.status is S.IN_REVIEW:
            waiting = ", ".join(sorted(self.pending_roles))
            raise ApprovalsMissing(
                f"contract {self.id} cannot be activated: awaiting {waiting}", self.pending_roles
            )
        self._require("activate")
        self.versions = restate_versions(self.draft_versions(today), today)
        self.proposed = ()
        self.status = S.ACTIVE
        self._record(ContractActivated(self.id, self.versions[-1]))

    def amend(
        self,
        terms: ContractTerms,
        *,
        effective_from: date,
        today: date,
        payer_initiated: bool = False,
        objection_window_days: int | None = None,
    ) -> ContractVersion:
        """Add a new version (an amendment); the version it follows ends the day before."""
        self._require("amend")
        self.versions = append_version(
            self.versions,
            terms,
            effective_from=effective_from,
            today=today,
            payer_initiated=payer_initiated,
            objection_window_days=objection_window_days,
        )
        self._record(ContractAmended(self.id, self.versions[-1], self.versions[-2]))
        return self.versions[-1]

    def correct_version(self, number: int, terms: ContractTerms, *, today: date) -> ContractVersion:
        """Correct the terms of the latest version before it takes effect (same number and dates)."""
        self._require("amend")
        previous = self.versions[-1]
        self.versions = correct_latest(self.versions, number, terms, today)
        self._record(ContractCorrected(self.id, self.versions[-1], previous))
        return self.versions[-1]

    def withdraw_version(self, number: int, reason: str, *, today: date) -> ContractVersion:
        """Withdraw the latest version before it takes effect; the previous one is latest again."""
        self._require("amend")
        if not reason.strip():
            raise InvalidContractTerms("reason", "a withdrawal must say why")
        before = self.versions
        self.versions = withdraw_latest(self.versions, number, today)
        withdrawn = before[-1]
        self._record(ContractVersionWithdrawn(self.id, withdrawn, self.versions[-1], reason))
        return withdrawn

    def renew(self, today: date, *, renewal_term_months: int | None = None) -> ContractVersion:
        """Start a new term the day after the termination date, for the renewal term's months."""
        self._require("renew")
        latest = self.versions[-1]
        ends = self._termination_date(latest)
        months = latest.terms.renewal_term_months if renewal_term_months is None else renewal_term_months
        if months is None:
            raise InvalidContractTerms("renewal_term_months", "the terms state no renewal term")
        require_days(InvalidContractTerms, "renewal_term_months", months, unit="months")
        starts = ends + timedelta(days=1)
        new_end = add_months(starts, months) - timedelta(days=1)
        terms = replace(latest.terms, termination_date=new_end)
        self.versions = append_version(self.versions, terms, effective_from=starts, today=today)
        self.status = S.ACTIVE
        self._record(ContractRenewed(self.id, self.versions[-1]))
        return self.versions[-1]

    def expire(self, today: date) -> None:
        """The term ran out without renewal: the latest version ends on the termination date."""
        self._require("expire")
        ends = self._termination_date(self.versions[-1])
        if today <= ends:
            raise InvalidContractTerms(
                "termination_date", f"contract {self.id} runs until {ends.isoformat()}"
            )
        self._end(ends, f"expired on {ends.isoformat()}", S.EXPIRED)

    def terminate(self, last_day: date, reason: str) -> None:
        """End the contract early; `last_day` is the last day it is in force."""
        self._require("terminate")
        if not reason.strip():
            raise InvalidContractTerms("reason", "a termination must say why")
        self._end(last_day, reason, S.TERMINATED)

    def _end(self, last_day: date, reason: str, status: ContractStatus) -> None:
        self.versions = end_versions(self.versions, last_day)
        self.status = status
        self._record(ContractTerminated(self.id, last_day, reason, self.versions[-1]))

    def _termination_date(self, version: ContractVersion) -> date:
        if version.terms.termination_date is None:
            raise InvalidContractTerms(
                "termination_date", f"contract {self.id} is open-ended: it has no term to end"
            )
        return version.terms.termination_date

    def _require(self, action: str) -> None:
        allowed = ALLOWED_FROM[action]
        if self.status not in allowed:
            names = " or ".join(sorted(status.value for status in allowed))
            raise IllegalTransition(self.id, self.status.value, action, names)

    def _check_role(self, role: str, action: str) -> None:
        if role not in self.required_approver_roles:
            required = ", ".join(sorted(self.required_approver_roles)) or "no roles"
            raise UnknownApproverRole(
                f"contract {self.id}: {role} cannot {action}; the organisation requires {required}"
            )
