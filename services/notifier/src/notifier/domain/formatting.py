"""How facts read in a notification: money, dates and links to the record in Accord."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from urllib.parse import quote, urlsplit

from .errors import NotifierDomainError

CENT = Decimal("0.01")
UNKNOWN = "not stated"


def money(value: object) -> str:
    """`$1,234.50`, rounded half-up to cents; negative as `-$12.00`; unknown as 'not stated'."""
    amount = decimal_or_none(value)
    if amount is None:
        return UNKNOWN
    cents = amount.quantize(CENT, rounding=ROUND_HALF_UP)
    sign = "-" if cents < 0 else ""
    return f"{sign}${abs(cents):,.2f}"


def decimal_or_none(value: object) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None


def long_date(value: object) -> str:
    """`Friday 14 March 2025` from an ISO date (or date-time); anything else as given."""
    if value is None or value == "":
        return UNKNOWN
    text = str(value)
    try:
        day = date.fromisoformat(text[:10])
    except ValueError:
        return text
    return f"{day:%A} {day.day} {day:%B %Y}"


def text_of(data: Mapping[str, object], field: str, default: str = UNKNOWN) -> str:
    """A payload field as one line of text (no line breaks: it may end up in a subject)."""
    value = data.get(field)
    if value is None or str(value).strip() == "":
        return default
    return " ".join(str(value).split())


def humanise(identifier: str) -> str:
    """`renewal_notice` -> `renewal notice`."""
    return identifier.replace("_", " ").replace(".", " ").strip()


@dataclass(frozen=True)
class RecordLinks:
    """Links into Accord's web app; the base URL is configuration (one per deployment)."""

    base_url: str

    def __post_init__(self) -> None:
        parts = urlsplit(self.base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise NotifierDomainError("base_url", "must be an absolute http(s) URL")

    def to(self, collection: str, record_id: object) -> str:
        if record_id is None or str(record_id).strip() == "":
            return self.home
        return f"{self.home}/{collection}/{quote(str(record_id).strip(), safe='')}"

    @property
    def home(self) -> str:
        return self.base_url.rstrip("/")

    def obligation(self, obligation_id: object) -> str:
        return self.to("obligations", obligation_id)

    def claim(self, claim_id: object) -> str:
        return self.to("claims", claim_id)

    def contract(self, contract_id: object) -> str:
        return self.to("contracts", contract_id)

    def subscription(self, subscription_id: object) -> str:
        return self.to("settings/subscriptions", subscription_id)
