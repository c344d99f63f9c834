"""Refuse an oversized upload from its Content-Length, before the body is read or spooled.

FastAPI parses a multipart form before the route (and its dependencies) runs, so the check sits
in the route class. A body without Content-Length (chunked) is still counted as it is copied
(handlers/documents.py) and, for the whole service, by accord_common's MaxBodySize middleware.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from accord_common.errors import PayloadTooLarge
from fastapi import Request, Response
from fastapi.routing import APIRoute

MULTIPART_ALLOWANCE = 16 * 1024
"""Bytes a multipart envelope may add to the file itself (boundaries, part headers, form fields)."""

Handler = Callable[[Request], Coroutine[Any, Any, Response]]


def refuse_declared_oversize(request: Request, limit: int) -> None:
    """413 naming the limit when the declared length cannot hold a file within it."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit + MULTIPART_ALLOWANCE:
        message = f"larger than the limit of {limit} bytes (ACCORD_REGISTRY_MAX_UPLOAD_BYTES)"
        raise PayloadTooLarge(
            f"the request declares {declared} bytes: documents are limited to {limit} bytes",
            errors=[{"field": "file", "message": message}],
        )


class UploadLimitedRoute(APIRoute):
    """A route whose request body is refused up front when it exceeds the document upload limit."""

    def get_route_handler(self) -> Handler:
        handler = super().get_route_handler()

        async def limited(request: Request) -> Response:
            refuse_declared_oversize(request, request.app.state.runtime.settings.max_upload_bytes)
            return await handler(request)

        return limited
