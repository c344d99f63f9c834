"""Errors the contract registry's domain raises when a rule is broken."""

from __future__ import annotations

from datetime import date


class DomainError(Exception):
    """A request the registry's rules refuse; the message says what and why."""


class InvalidField(DomainError, ValueError):
    """A value that breaks a validation rule; `field` names it (e.g. "PerDiemTerm.rates[ICU]")."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class InvalidFeeScheduleRow(InvalidField):
    """A fee schedule row with a bad code, modifier, rate or date range."""


class DuplicateFeeScheduleRow(DomainError):
    """Two rows of one schedule share a key (code system, code, modifiers, POS, setting, from)."""


class InvalidPaymentTerm(InvalidField):
    """A payment term or one of its modifiers with a bad rate, percentage or code range."""


class InvalidValueBasedTerms(InvalidField):
    """Value-based measures, shared savings or risk corridor that do not add up."""


class InvalidContractTerms(InvalidField):
    """Contract dates or operational terms (notice, timely filing ...) that do not hold together."""


class IllegalTransition(DomainError):
    """The contract's status does not allow the requested action."""

    def __init__(self, contract_id: str, status: str, action: str, allowed_from: str) -> None:
        super().__init__(f"contract {contract_id} is {status}: cannot {action} (allowed from {allowed_from})")
        self.contract_id = contract_id
        self.status = status
        self.action = action


class ApprovalError(DomainError):
    """The approval workflow refuses an approval, a rejection or an activation."""


class ApprovalsMissing(ApprovalError):
    """Activation was asked for before every required role approved; `roles` are the missing ones."""

    def __init__(self, message: str, roles: frozenset[str] = frozenset()) -> None:
        super().__init__(message)
        self.roles = roles


class UnknownApproverRole(ApprovalError):
    """An approval or rejection from a role the organisation does not require."""


class AlreadyApproved(ApprovalError):
    """A role approved twice in the same review round."""


class VersionConflict(DomainError):
    """A new version would overlap or leave a gap with the versions already recorded."""


class VersionOverlap(VersionConflict):
    """The new version starts on or before a day an existing version covers."""


class VersionGap(VersionConflict):
    """The new version starts after the day following the previous version's end."""


class VersionInForce(VersionConflict):
    """A version that has taken effect (or is not the latest) cannot be corrected or withdrawn."""


class NoVersionInForce(DomainError):
    """No version of the contract covers the date asked about."""

    def __init__(self, contract_id: str, on: date) -> None:
        super().__init__(f"contract {contract_id} has no version in force on {on.isoformat()}")
        self.contract_id = contract_id
        self.on = on


class MalformedPayload(DomainError, ValueError):
    """A stored or received version dictionary that cannot be read back."""


class SegregationOfDuties(ApprovalError):
    """An approval the segregation-of-duties rules refuse; `rule` names the rule broken
    ("own-submission" or "distinct-approvers")."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule


class ApiKeyError(DomainError):
    """A key management request the rules refuse."""


class ApiKeyRefused(ApiKeyError):
    """An issue, rotation or expiry that breaks a rule about its content; `field` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class ApiKeyEnded(ApiKeyError):
    """The key is revoked or has expired: nothing more can change it (409)."""
