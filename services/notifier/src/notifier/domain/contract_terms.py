"""The terms of a contract version a contracting analyst compares, and how a change reads.

`version_terms` keeps, from a contract.* payload (ContractVersionData), plain values that compare
by equality; the notifier stores them per version so that a mail about version 3 can say what
differs from version 2. Only business terms are kept: no patient data, and long structures
(payment terms, value-based terms) as a count and a fingerprint, never their content.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from .formatting import decimal_or_none, humanise, long_date
from .notices import Payload

VersionTerms = dict[str, object]


def version_terms(data: Payload) -> VersionTerms:
    """The comparable terms of the version a contract.* payload carries."""
    terms = data.get("terms")
    inner: Payload = terms if isinstance(terms, Mapping) else {}
    schedule = data.get("fee_schedule")
    fee: Payload = schedule if isinstance(schedule, Mapping) else {}
    return {
        "effective_from": _plain(data.get("effective_from")),
        "effective_to": _plain(data.get("effective_to")),
        "termination_date": _plain(inner.get("termination_date")),
        "auto_renew": bool(inner.get("auto_renew")),
        "renewal_term_months": _plain(inner.get("renewal_term_months")),
        "notice_days": _plain(inner.get("notice_days")),
        "timely_filing_days": _plain(inner.get("timely_filing_days")),
        "appeal_window_days": _plain(inner.get("appeal_window_days")),
        "prompt_pay_days": _plain(inner.get("prompt_pay_days")),
        "prompt_pay_interest_rate": _percent(inner.get("prompt_pay_interest_rate")),
        "fee_schedule": _fee_schedule(fee),
        "payment_terms": _fingerprint(data.get("payment_terms")),
        "value_based_terms": _fingerprint(data.get("value_based_terms")),
        "line_of_business": _plain(data.get("line_of_business")),
    }


@dataclass(frozen=True)
class TermChange:
    label: str
    now: str
    before: str  # "" when the summary reads the same and only the content inside changed


def describe_terms(terms: Mapping[str, object]) -> tuple[tuple[str, str], ...]:
    """Each term as (label, words), in the order an analyst reads a contract summary."""
    return tuple((label, words(terms.get(key))) for key, (label, words) in _WORDING.items())


def term_changes(before: Mapping[str, object], after: Mapping[str, object]) -> tuple[TermChange, ...]:
    """The terms that differ between two versions, in reading order."""
    changes = []
    for key, (label, words) in _WORDING.items():
        if before.get(key) == after.get(key):
            continue
        now, then = words(after.get(key)), words(before.get(key))
        if now == then:  # the same summary over different content: a rate or a rule inside changed
            changes.append(TermChange(label, f"{now}, revised", ""))
        else:
            changes.append(TermChange(label, now, then))
    return tuple(changes)


def _plain(value: object) -> str | None:
    if value is None or str(value).strip() == "":
        return None
    return " ".join(str(value).split())


def _percent(value: object) -> str | None:
    rate = decimal_or_none(value)
    return None if rate is None else format(rate.normalize(), "f")


def _fee_schedule(fee: Payload) -> dict[str, object] | None:
    if not fee.get("schedule_id"):
        return None
    return {
        "schedule_id": _plain(fee.get("schedule_id")),
        "rates": _plain(fee.get("row_count")),
        "content_hash": _plain(fee.get("content_hash")),
    }


def _fingerprint(value: object) -> dict[str, object] | None:
    """How many entries, and a hash of the content that shows whether it changed."""
    if value is None or value == [] or value == {}:
        return None
    canonical = json.dumps(value, sort_keys=True, default=str, separators=(",", ":"))
    count = len(value) if isinstance(value, list) else 1
    return {"count": count, "sha256": hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]}


def _date_words(none: str) -> Callable[[object], str]:
    return lambda value: none if value is None else long_date(value)


def _days(value: object) -> str:
    if value is None:
        return "not stated"
    return "1 day" if str(value) == "1" else f"{value} days"


def _auto_renew(value: object) -> str:
    return "yes" if value else "no"


def _months(value: object) -> str:
    return "not stated" if value is None else f"{value} months"


def _interest(value: object) -> str:
    return "not stated" if value is None else f"{value}% a year"


def _schedule(value: object) -> str:
    if not isinstance(value, Mapping):
        return "none attached"
    rates = value.get("rates")
    count = f"{int(str(rates)):,} rates" if rates is not None and str(rates).isdigit() else "rates"
    return f"{value.get('schedule_id')} ({count})"


def _rules(value: object) -> str:
    if not isinstance(value, Mapping):
        return "none"
    count = int(str(value.get("count") or 0))
    return "1 rule" if count == 1 else f"{count} rules"


def _included(value: object) -> str:
    return "included" if isinstance(value, Mapping) else "none"


def _line_of_business(value: object) -> str:
    return "not stated" if value is None else humanise(str(value))


_WORDING: dict[str, tuple[str, Callable[[object], str]]] = {
    "effective_from": ("Effective from", _date_words("not stated")),
    "effective_to": ("Effective to", _date_words("no end date")),
    "termination_date": ("Termination date", _date_words("none set")),
    "auto_renew": ("Auto-renewal", _auto_renew),
    "renewal_term_months": ("Renewal term", _months),
    "notice_days": ("Notice period (non-renewal)", _days),
    "timely_filing_days": ("Timely filing limit", _days),
    "appeal_window_days": ("Appeal window", _days),
    "prompt_pay_days": ("Prompt-pay deadline", _days),
    "prompt_pay_interest_rate": ("Prompt-pay interest", _interest),
    "fee_schedule": ("Fee schedule", _schedule),
    "payment_terms": ("Payment terms", _rules),
    "value_based_terms": ("Value-based terms", _included),
    "line_of_business": ("Line of business", _line_of_business),
}
