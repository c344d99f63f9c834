"""Email recipients and webhook secrets, including rotation."""

import base64
from datetime import UTC, datetime, timedelta

import pytest
from notifier.domain import (
    ROTATION_OVERLAP,
    EmailChannel,
    NotifierDomainError,
    SigningSecret,
    WebhookChannel,
    generate_secret,
    normalise_email_address,
)

NOW = datetime(2025, 3, 14, 9, 0, tzinfo=UTC)
OLD = "whsec_" + base64.b64encode(b"o" * 32).decode()
NEW = "whsec_" + base64.b64encode(b"n" * 32).decode()


@pytest.mark.parametrize(
    ("address", "stored"),
    [
        ("billing@clinic.example", "billing@clinic.example"),
        ("  Billing.Team@Clinic.Example ", "Billing.Team@clinic.example"),
        ("ar+aetna@north-valley-health.org", "ar+aetna@north-valley-health.org"),
    ],
)
def test_valid_addresses_are_normalised(address: str, stored: str) -> None:
    assert normalise_email_address(address) == stored


@pytest.mark.parametrize(
    "address",
    [
        "",
        "billing",
        "billing@",
        "@clinic.example",
        "billing@clinic",
        "bill ing@clinic.example",
        "billing@clinic.example\r\nBcc: attacker@evil.example",
        "a..b@clinic.example",
        "Billing <billing@clinic.example>",
        "billing@clinic.example,other@clinic.example",
        "billing@-clinic.example",
    ],
)
def test_malformed_addresses_are_refused(address: str) -> None:
    with pytest.raises(NotifierDomainError, match="recipients"):
        normalise_email_address(address)


def test_email_channel_deduplicates_and_needs_a_recipient() -> None:
    channel = EmailChannel.to(["ar@clinic.example", "AR@Clinic.example".lower(), "cfo@clinic.example"])
    assert channel.recipients == ("ar@clinic.example", "cfo@clinic.example")
    with pytest.raises(NotifierDomainError):
        EmailChannel.to([])
    with pytest.raises(NotifierDomainError):
        EmailChannel(recipients=("not an address",))


def test_generated_secrets_are_whsec_base64_of_enough_random_bytes() -> None:
    secret = generate_secret()
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"), validate=True)) == 32
    assert generate_secret() != secret
    assert len(base64.b64decode(generate_secret(24)[6:])) == 24
    with pytest.raises(NotifierDomainError):
        generate_secret(16)


@pytest.mark.parametrize(
    "secret",
    [
        "",
        base64.b64encode(b"k" * 32).decode(),  # no prefix
        "whsec_not*base64",
        "whsec_" + base64.b64encode(b"short").decode(),
    ],
)
def test_malformed_secrets_are_refused(secret: str) -> None:
    with pytest.raises(NotifierDomainError, match="secret"):
        SigningSecret(secret)


def test_a_secret_never_shows_in_repr() -> None:
    assert OLD[6:] not in repr(SigningSecret(OLD))


def test_rotation_signs_with_both_secrets_during_the_overlap_then_only_the_new() -> None:
    channel = WebhookChannel("https://hooks.clinic.example/accord", (SigningSecret(OLD),))
    rotated = channel.rotate(NEW, NOW)
    assert rotated.signing_secrets(NOW) == (NEW, OLD)
    assert rotated.signing_secrets(NOW + ROTATION_OVERLAP - timedelta(seconds=1)) == (NEW, OLD)
    assert rotated.signing_secrets(NOW + ROTATION_OVERLAP) == (NEW,)


def test_rotating_again_drops_retired_secrets_and_never_extends_an_overlap() -> None:
    first = WebhookChannel("https://hooks.clinic.example", (SigningSecret(OLD),)).rotate(NEW, NOW)
    newest = generate_secret()
    later = NOW + timedelta(days=2)
    second = first.rotate(newest, later)
    assert second.signing_secrets(later) == (newest, NEW)
    assert [s.value for s in second.secrets] == [newest, NEW]


def test_a_quick_second_rotation_keeps_the_first_overlaps_end() -> None:
    first = WebhookChannel("https://hooks.clinic.example", (SigningSecret(OLD),)).rotate(NEW, NOW)
    newest = generate_secret()
    second = first.rotate(newest, NOW + timedelta(hours=1))
    retires = {s.value: s.retires_at for s in second.secrets}
    assert retires == {
        newest: None,
        NEW: NOW + timedelta(hours=1) + ROTATION_OVERLAP,
        OLD: NOW + ROTATION_OVERLAP,
    }


def test_a_webhook_needs_a_url_and_a_secret() -> None:
    with pytest.raises(NotifierDomainError, match="secrets"):
        WebhookChannel("https://hooks.clinic.example", ())
    with pytest.raises(NotifierDomainError, match="url"):
        WebhookChannel(" ", (SigningSecret(OLD),))
