"""Loaded by schemathesis (SCHEMATHESIS_HOOKS) in tests/e2e/test_hostile_api.py: an X12 file is text,
so application/edi-x12 bodies are serialised as the plain text schemathesis generates."""

from __future__ import annotations

import schemathesis

schemathesis.serializer.alias("application/edi-x12", "text/plain")
