"""Recovery projects (the engine's worklist grouped by root cause): how a person reads a cause."""

from __future__ import annotations

CAUSE_LABELS = {
    "denied_timely_filing": "Denied: timely filing",
    "denied_authorization": "Denied: authorization",
    "denied_medical_necessity": "Denied: medical necessity",
    "denied_duplicate": "Denied: duplicate",
    "denied_coordination_of_benefits": "Denied: coordination of benefits",
    "paid_as_other_code": "Paid as another code",
    "modifier_ignored": "Modifier ignored",
    "modifier_applied": "Modifier applied that was not billed",
    "multiple_procedure_reduction": "Multiple-procedure reduction applied differently",
    "escalator_not_applied": "Escalator not applied (last year's rate)",
    "carve_out_at_base_rate": "Carve-out paid at the base rate",
    "other_fee_schedule": "Paid from another fee schedule",
    "unexplained": "Unexplained underpayment",
}


def cause_label(cause: str) -> str:
    """The cause in a person's words; an unknown (newer) cause is shown as the engine names it."""
    return CAUSE_LABELS.get(cause, cause.replace("_", " ").capitalize())
