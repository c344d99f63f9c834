"""A small HTTP client for the demo and the end-to-end tests, using the development key."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

import httpx

from accord_common.devstack.stack import DEV_API_KEY

AUTH = {"Authorization": f"Bearer {DEV_API_KEY}"}
T = TypeVar("T")


def post_json(url: str, body: dict[str, Any]) -> dict[str, Any]:
    """POST and return the JSON body; any 4xx/5xx raises with the problem text."""
    response = httpx.post(url, json=body, headers=AUTH, timeout=15)
    if response.status_code >= 400:
        raise AssertionError(f"POST {url} -> {response.status_code}: {response.text}")
    result: dict[str, Any] = response.json()
    return result


def get_json(url: str, **params: Any) -> Any:
    response = httpx.get(url, params=params, headers=AUTH, timeout=15)
    if response.status_code >= 400:
        raise AssertionError(f"GET {url} -> {response.status_code}: {response.text}")
    return response.json()


def wait_for(what: str, check: Callable[[], T | None], timeout: float = 60) -> T:
    """Poll `check` until it returns something truthy; events cross the broker asynchronously."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.25)
    raise TimeoutError(f"timed out waiting for {what}")
