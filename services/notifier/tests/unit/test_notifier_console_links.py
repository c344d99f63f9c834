"""Links in mails lead to the console: production refuses a links base URL staff cannot open."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from notifier.config import NotifierSettings
from pydantic import ValidationError

PRODUCTION = {
    "environment": "production",
    "database_url": "postgresql+asyncpg://notifier:pw@db.internal/notifier",
    "secret_encryption_keys": Fernet.generate_key().decode(),
}


@pytest.mark.parametrize(
    "links",
    [
        None,  # unset: the development default, the console of `make run` on this machine
        "http://accord.clinic.example",  # not https
        "https://localhost:8105",
        "https://127.0.0.1",
    ],
)
def test_production_refuses_mail_links_that_lead_nowhere(links: str | None) -> None:
    values = PRODUCTION | ({"links_base_url": links} if links else {})
    with pytest.raises(ValidationError, match="production requires ACCORD_NOTIFIER_LINKS_BASE_URL"):
        NotifierSettings(**values)


def test_production_links_point_at_the_console() -> None:
    settings = NotifierSettings(**PRODUCTION, links_base_url="https://accord.clinic.example/")
    assert settings.links.claim("c-1") == "https://accord.clinic.example/claims/c-1"


def test_development_links_default_to_the_console_of_make_run() -> None:
    assert NotifierSettings().links.obligation("o-1") == "http://127.0.0.1:8105/obligations/o-1"
