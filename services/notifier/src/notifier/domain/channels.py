"""Where a subscription sends its notifications: an email list or a signed webhook."""

from __future__ import annotations

import base64
import re
import secrets as random_bytes
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from .errors import NotifierDomainError

SECRET_PREFIX = "whsec_"
SECRET_MIN_BYTES = 24
SECRET_MAX_BYTES = 64
SECRET_DEFAULT_BYTES = 32
# How long the old secret keeps signing after a rotation, so receivers can roll out the new one.
ROTATION_OVERLAP = timedelta(hours=24)
MAX_RECIPIENTS = 50

# A syntactic check only (deliverability is the mail server's business). It refuses what would
# break or inject into a header: spaces, CR/LF, commas, angle brackets, quotes.
_EMAIL_ADDRESS = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}"
    r"@(?=.{1,253}$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)


class ChannelKind(StrEnum):
    EMAIL = "email"
    WEBHOOK = "webhook"


def normalise_email_address(address: str) -> str:
    """The address as stored (trimmed, domain lower-cased); refuses anything malformed."""
    candidate = address.strip()
    if not _EMAIL_ADDRESS.fullmatch(candidate) or ".." in candidate:
        raise NotifierDomainError("recipients", f"not a valid email address: {address!r}")
    local, domain = candidate.rsplit("@", 1)
    return f"{local}@{domain.lower()}"


@dataclass(frozen=True)
class EmailChannel:
    recipients: tuple[str, ...]

    def __post_init__(self) -> None:
        if not self.recipients:
            raise NotifierDomainError("recipients", "at least one recipient is required")
        if len(self.recipients) > MAX_RECIPIENTS:
            raise NotifierDomainError("recipients", f"at most {MAX_RECIPIENTS} recipients")
        for address in self.recipients:
            normalise_email_address(address)

    @property
    def kind(self) -> ChannelKind:
        return ChannelKind.EMAIL

    @classmethod
    def to(cls, addresses: list[str] | tuple[str, ...]) -> EmailChannel:
        """An email channel for these addresses, validated and without duplicates."""
        normalised = [normalise_email_address(address) for address in addresses]
        return cls(recipients=tuple(dict.fromkeys(normalised)))


def generate_secret(size: int = SECRET_DEFAULT_BYTES) -> str:
    """A new signing secret: `whsec_` followed by `size` random bytes in base64."""
    if not SECRET_MIN_BYTES <= size <= SECRET_MAX_BYTES:
        raise NotifierDomainError("secret", f"size must be {SECRET_MIN_BYTES}-{SECRET_MAX_BYTES}")
    return SECRET_PREFIX + base64.b64encode(random_bytes.token_bytes(size)).decode("ascii")


def secret_key(secret: str) -> bytes:
    """The HMAC key inside a `whsec_` secret; refuses a secret that is not strict base64."""
    if not secret.startswith(SECRET_PREFIX):
        raise NotifierDomainError("secret", f"must start with {SECRET_PREFIX}")
    try:
        key = base64.b64decode(secret.removeprefix(SECRET_PREFIX), validate=True)
    except ValueError:
        raise NotifierDomainError("secret", "must be base64 after the prefix")
    if not SECRET_MIN_BYTES <= len(key) <= SECRET_MAX_BYTES:
        raise NotifierDomainError("secret", f"must hold {SECRET_MIN_BYTES}-{SECRET_MAX_BYTES} bytes")
    return key


@dataclass(frozen=True)
class SigningSecret:
    """A webhook secret; after a rotation the old one signs until `retires_at`."""

    value: str
    retires_at: datetime | None = None

    def __post_init__(self) -> None:
        secret_key(self.value)

    def __repr__(self) -> str:  # never print the secret itself
        return f"SigningSecret(value='whsec_***', retires_at={self.retires_at!r})"

    def is_active(self, now: datetime) -> bool:
        return self.retires_at is None or now < self.retires_at


@dataclass(frozen=True)
class WebhookChannel:
    url: str
    secrets: tuple[SigningSecret, ...]

    def __post_init__(self) -> None:
        if not self.url.strip():
            raise NotifierDomainError("url", "a webhook URL is required")
        if not self.secrets:
            raise NotifierDomainError("secrets", "a webhook needs at least one signing secret")

    @property
    def kind(self) -> ChannelKind:
        return ChannelKind.WEBHOOK

    def signing_secrets(self, now: datetime) -> tuple[str, ...]:
        """The secrets that sign a message sent at `now` (two during a rotation's overlap)."""
        active = tuple(secret.value for secret in self.secrets if secret.is_active(now))
        # Never send unsigned: if every secret has retired, the newest still signs.
        return active or (self.secrets[0].value,)

    def rotate(self, new_secret: str, now: datetime, overlap: timedelta = ROTATION_OVERLAP) -> WebhookChannel:
        """Sign with `new_secret` from now on; the current secrets keep signing for `overlap`."""
        retiring = tuple(
            replace(secret, retires_at=min(secret.retires_at or now + overlap, now + overlap))
            for secret in self.secrets
            if secret.is_active(now)
        )
        return replace(self, secrets=(SigningSecret(new_secret), *retiring))


Channel = EmailChannel | WebhookChannel
