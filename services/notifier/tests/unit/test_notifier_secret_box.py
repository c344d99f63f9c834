"""Signing secrets at rest: the Fernet box, its keys in the settings, and the stored form."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest
from cryptography.fernet import Fernet
from notifier.adapters.mapping import secrets_from_json, secrets_to_json
from notifier.adapters.secret_box import ENCRYPTED_PREFIX, FernetSecretBox
from notifier.config import DEVELOPMENT_SECRET_ENCRYPTION_KEY, NotifierSettings
from notifier.domain import SigningSecret, generate_secret
from notifier.ports import SecretNotDecryptable
from pydantic import ValidationError

OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()
SECRET = generate_secret()
VARIABLE = "ACCORD_NOTIFIER_SECRET_ENCRYPTION_KEYS"
POSTGRES = "postgresql+asyncpg://notifier:pw@db.internal/notifier"


@pytest.fixture(autouse=True)
def _no_notifier_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings come from what each test passes, not from the shell that runs the tests."""
    monkeypatch.delenv(VARIABLE, raising=False)
    monkeypatch.delenv("ACCORD_NOTIFIER_ENVIRONMENT", raising=False)


def test_a_secret_round_trips_and_what_is_stored_does_not_contain_it() -> None:
    box = FernetSecretBox([NEW_KEY])
    stored = box.encrypt(SECRET)
    assert stored.startswith(ENCRYPTED_PREFIX)
    assert SECRET not in stored and SECRET.removeprefix("whsec_") not in stored
    assert box.decrypt(stored) == SECRET
    assert box.encrypt(SECRET) != stored  # a fresh IV each time: equal secrets do not look equal


def test_a_wrong_key_is_refused_with_an_error_naming_the_setting() -> None:
    stored = FernetSecretBox([OLD_KEY]).encrypt(SECRET)
    other = FernetSecretBox([NEW_KEY])
    with pytest.raises(
        SecretNotDecryptable, match=f"does not decrypt with any of the 1 key\\(s\\) in {VARIABLE}"
    ):
        other.decrypt(stored)
    with pytest.raises(SecretNotDecryptable, match=VARIABLE):
        other.reencrypt(stored)


def test_a_tampered_value_is_refused() -> None:
    box = FernetSecretBox([NEW_KEY])
    stored = box.encrypt(SECRET)
    flipped = stored[:-5] + ("A" if stored[-5] != "A" else "B") + stored[-4:]
    with pytest.raises(SecretNotDecryptable):
        box.decrypt(flipped)


def test_rotation_new_key_first_reads_old_values_and_reencrypting_frees_the_old_key() -> None:
    stored_under_old = FernetSecretBox([OLD_KEY]).encrypt(SECRET)
    rotating = FernetSecretBox([NEW_KEY, OLD_KEY])
    assert rotating.decrypt(stored_under_old) == SECRET
    reencrypted = rotating.reencrypt(stored_under_old)
    assert reencrypted.startswith(ENCRYPTED_PREFIX) and reencrypted != stored_under_old
    assert FernetSecretBox([NEW_KEY]).decrypt(reencrypted) == SECRET
    with pytest.raises(SecretNotDecryptable):
        FernetSecretBox([OLD_KEY]).decrypt(reencrypted)
    with pytest.raises(SecretNotDecryptable):  # new values too are encrypted with the first key only
        FernetSecretBox([OLD_KEY]).decrypt(rotating.encrypt(SECRET))


def test_a_plain_value_from_before_encryption_is_read_and_encrypted_on_reencryption() -> None:
    box = FernetSecretBox([NEW_KEY])
    assert box.decrypt(SECRET) == SECRET
    reencrypted = box.reencrypt(SECRET)
    assert reencrypted.startswith(ENCRYPTED_PREFIX) and SECRET not in reencrypted
    assert box.decrypt(reencrypted) == SECRET


def test_a_value_in_an_unknown_encrypted_form_is_refused_not_taken_as_plain() -> None:
    with pytest.raises(SecretNotDecryptable, match="unknown form"):
        FernetSecretBox([NEW_KEY]).decrypt("enc:v9:gAAAAA")


@pytest.mark.parametrize("keys", [[], ["not-a-fernet-key"], [NEW_KEY, NEW_KEY[:-4]]])
def test_unusable_keys_are_refused_without_echoing_them(keys: list[str]) -> None:
    with pytest.raises(ValueError) as refusal:
        FernetSecretBox(keys)
    assert all(key not in str(refusal.value) for key in keys if key)


def test_the_box_never_shows_its_keys() -> None:
    box = FernetSecretBox([NEW_KEY, OLD_KEY])
    assert repr(box) == "FernetSecretBox(keys=2)"
    assert not hasattr(box, "__dict__")


def test_stored_secrets_are_encrypted_and_keep_their_retirement() -> None:
    box = FernetSecretBox([NEW_KEY])
    retires = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
    older = generate_secret()
    stored = secrets_to_json([SigningSecret(SECRET), SigningSecret(older, retires)], box)
    assert all(item["value"].startswith(ENCRYPTED_PREFIX) for item in stored)  # type: ignore[union-attr]
    assert SECRET not in str(stored) and older not in str(stored)
    assert secrets_from_json(stored, box) == (SigningSecret(SECRET), SigningSecret(older, retires))


def test_development_falls_back_to_the_named_development_key() -> None:
    settings = NotifierSettings()
    assert settings.environment == "development"
    assert settings.encryption_keys() == [DEVELOPMENT_SECRET_ENCRYPTION_KEY]
    assert base64.urlsafe_b64decode(DEVELOPMENT_SECRET_ENCRYPTION_KEY) == b"accord-dev-only-not-for-prod-key"


def test_keys_are_read_from_the_environment_newest_first(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(VARIABLE, f" {NEW_KEY}, {OLD_KEY} ")
    assert NotifierSettings().encryption_keys() == [NEW_KEY, OLD_KEY]


@pytest.mark.parametrize("keys", [None, "", " , "])
def test_production_refuses_to_start_without_keys(keys: str | None) -> None:
    with pytest.raises(ValidationError, match=f"production requires {VARIABLE}"):
        NotifierSettings(environment="production", database_url=POSTGRES, secret_encryption_keys=keys)


def test_production_refuses_the_development_key() -> None:
    with pytest.raises(ValidationError, match="development key"):
        NotifierSettings(
            environment="production",
            database_url=POSTGRES,
            secret_encryption_keys=f"{NEW_KEY},{DEVELOPMENT_SECRET_ENCRYPTION_KEY}",
        )


def test_production_runs_with_its_own_keys_and_never_shows_them() -> None:
    settings = NotifierSettings(
        environment="production",
        database_url=POSTGRES,
        secret_encryption_keys=f"{NEW_KEY},{OLD_KEY}",
        links_base_url="https://console.clinic.example",
    )
    assert settings.encryption_keys() == [NEW_KEY, OLD_KEY]
    for shown in (repr(settings), str(settings), settings.model_dump_json()):
        assert NEW_KEY not in shown and OLD_KEY not in shown


def test_a_malformed_key_is_refused_naming_the_setting_but_not_the_key() -> None:
    bad = NEW_KEY[:-4] + "!!!!"
    with pytest.raises(ValidationError) as refusal:
        NotifierSettings(secret_encryption_keys=f"{OLD_KEY},{bad}")
    assert VARIABLE in str(refusal.value)
    assert bad not in str(refusal.value) and OLD_KEY not in str(refusal.value)
