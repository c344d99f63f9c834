"""Resolve a webhook's host without blocking the event loop."""

from __future__ import annotations

import asyncio
import socket


async def resolve_host(host: str) -> list[str]:
    """Every address `host` resolves to (IPv4 and IPv6), or none if it does not resolve."""
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        return []
    return list(dict.fromkeys(str(info[4][0]) for info in infos))
