"""The document upload limit must fit inside the service-wide request limit, with room to spare."""

from __future__ import annotations

import pytest
from contract_registry.config import UPLOAD_HEADROOM, RegistrySettings
from contract_registry.entrypoints.upload_limit import MULTIPART_ALLOWANCE
from pydantic import ValidationError


def test_the_defaults_leave_room_for_the_multipart_envelope() -> None:
    settings = RegistrySettings()
    assert settings.max_upload_bytes + MULTIPART_ALLOWANCE < settings.max_request_bytes


def test_an_upload_limit_the_request_limit_would_cut_short_is_refused() -> None:
    with pytest.raises(ValidationError, match="max_upload_bytes"):
        RegistrySettings(max_upload_bytes=10 * 1024 * 1024, max_request_bytes=10 * 1024 * 1024)
    RegistrySettings(max_upload_bytes=1024, max_request_bytes=1024 + UPLOAD_HEADROOM)
