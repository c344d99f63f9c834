"""Loaded by schemathesis (SCHEMATHESIS_HOOKS) in tests/e2e/test_hostile_api.py.

- An X12 file is text, so application/edi-x12 bodies are serialised as the plain text schemathesis
  generates.
- The registry's document upload lists, in its multipart `encoding`, the media types the file part
  may declare (contract_registry.handlers.documents.UPLOAD_TYPES). A part of one of those types is a
  file of that type, as any client uploading a real document sends: these strategies draw one (the
  type's signature, then any bytes; text: UTF-8 with no control characters but tab, line feed,
  carriage return and form feed). The server checks the content against the declared type (415
  otherwise), which is the one rule about a file the document states in words, not in a schema.
  They are registered for the registry's run only (ACCORD_FUZZED_SERVICE): a text/plain strategy
  would also replace the engine's generated text/plain X12 bodies.
"""

from __future__ import annotations

import os

import schemathesis
from hypothesis import strategies as st

schemathesis.serializer.alias("application/edi-x12", "text/plain")

_TEXT = st.characters(codec="utf-8", exclude_categories=["Cc", "Cs"]) | st.sampled_from("\t\n\r\f")


def _register_document_files() -> None:
    from contract_registry.handlers.documents import ALLOWED_TYPES, UPLOAD_TYPES

    for media_type in UPLOAD_TYPES:
        signatures = ALLOWED_TYPES[media_type.split(";")[0]]
        if signatures:
            files = st.builds(bytes.__add__, st.sampled_from(signatures), st.binary(max_size=4096))
        else:
            files = st.text(alphabet=_TEXT, max_size=4096).map(str.encode)
        schemathesis.openapi.media_type(media_type, files)


if os.environ.get("ACCORD_FUZZED_SERVICE") == "contract-registry":
    _register_document_files()
