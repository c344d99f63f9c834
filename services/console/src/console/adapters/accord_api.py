"""The four services' public HTTP APIs, called with the signed-in person's own key."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import httpx


class Service(StrEnum):
    REGISTRY = "registry"
    ENGINE = "engine"
    TRACKER = "tracker"
    NOTIFIER = "notifier"


class ApiRefused(Exception):
    """A service answered 4xx/5xx: the console shows its problem detail, never a stack trace."""

    def __init__(self, status: int, detail: str, errors: list[Any] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = errors or []


@dataclass
class AccordApi:
    client: httpx.AsyncClient
    base_urls: dict[Service, str]

    async def get(self, key: str, service: Service, path: str, **params: Any) -> Any:
        query = {k: v for k, v in params.items() if v not in (None, "")}
        return await self._call(key, "GET", service, path, params=query)

    async def post(self, key: str, service: Service, path: str, body: dict[str, Any]) -> Any:
        return await self._call(key, "POST", service, path, json=body)

    async def _call(self, key: str, method: str, service: Service, path: str, **kwargs: Any) -> Any:
        url = self.base_urls[service].rstrip("/") + path
        response = await self.client.request(
            method, url, headers={"Authorization": f"Bearer {key}"}, **kwargs
        )
        if response.status_code >= 400:
            raise _refusal(response)
        return response.json() if response.content else None

    async def reachable(self) -> dict[str, str]:
        """Each service's /healthz: "ok" or why not (the console's readiness)."""

        async def probe(base: str) -> str:
            try:
                answer = await self.client.get(base.rstrip("/") + "/healthz", timeout=3)
            except httpx.HTTPError as exc:
                return type(exc).__name__
            return "ok" if answer.status_code == 200 else f"status {answer.status_code}"

        results = await asyncio.gather(*(probe(url) for url in self.base_urls.values()))
        return {service.value: result for service, result in zip(self.base_urls, results, strict=True)}

    async def close(self) -> None:
        await self.client.aclose()


def _refusal(response: httpx.Response) -> ApiRefused:
    try:
        problem = response.json()
    except ValueError:
        problem = {}
    if not isinstance(problem, dict):
        problem = {}
    detail = str(problem.get("detail") or problem.get("title") or response.reason_phrase)
    return ApiRefused(response.status_code, detail, problem.get("errors"))
