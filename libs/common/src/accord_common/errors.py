"""RFC 9457 problem details: one error model for every service."""

from __future__ import annotations

from typing import Any


class Problem(Exception):
    """An error that becomes an application/problem+json response."""

    status: int = 400
    title: str = "Bad request"
    type_slug: str = "bad-request"
    headers: dict[str, str] = {}

    def __init__(self, detail: str, *, errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []

    def to_dict(self, instance: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": f"https://accord.dev/problems/{self.type_slug}",
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        if instance:
            body["instance"] = instance
        if self.errors:
            body["errors"] = self.errors
        return body


class NotFound(Problem):
    status, title, type_slug = 404, "Not found", "not-found"


class Conflict(Problem):
    status, title, type_slug = 409, "Conflict", "conflict"


class Unprocessable(Problem):
    status, title, type_slug = 422, "Unprocessable content", "validation"


class Unauthorized(Problem):
    status, title, type_slug = 401, "Unauthorized", "unauthorized"


class Forbidden(Problem):
    status, title, type_slug = 403, "Forbidden", "forbidden"


class PayloadTooLarge(Problem):
    status, title, type_slug = 413, "Payload too large", "payload-too-large"


class UnsupportedMediaType(Problem):
    status, title, type_slug = 415, "Unsupported media type", "unsupported-media-type"


class TooManyRequests(Problem):
    """A rate limit refused the request; Retry-After says when one more is allowed."""

    status, title, type_slug = 429, "Too many requests", "rate-limited"

    def __init__(self, detail: str, *, retry_after_s: int) -> None:
        super().__init__(detail)
        self.retry_after_s = retry_after_s
        self.headers = {"Retry-After": str(retry_after_s)}
