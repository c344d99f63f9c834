"""Refuse webhook URLs that would make the notifier call into a private network (SSRF).

The adapter resolves the host, calls `check_webhook_url` with every address it got, then
connects to one of those same addresses (not a second lookup), so a DNS answer that changes
between check and call (rebinding) cannot slip through. The check runs when a subscription is
saved and again before every attempt.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import SplitResult, urlsplit

from .errors import NotifierDomainError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

ALLOWED_SCHEMES = frozenset({"http", "https"})


class UrlRefusal(StrEnum):
    MALFORMED = "the URL cannot be parsed"
    SCHEME = "only http and https URLs are accepted"
    CREDENTIALS = "the URL must not carry a user name or password"
    NO_HOST = "the URL has no host"
    UNRESOLVED = "the host did not resolve to any address"
    BAD_ADDRESS = "the host resolved to something that is not an IP address"
    PRIVATE_ADDRESS = "the host resolves to a private, loopback or otherwise internal address"


class UnsafeWebhookUrl(NotifierDomainError):
    def __init__(self, refusal: UrlRefusal, detail: str = "") -> None:
        super().__init__("url", f"{refusal.value}{f' ({detail})' if detail else ''}")
        self.refusal = refusal


@dataclass(frozen=True)
class AllowList:
    """Internal destinations an operator permits anyway: networks (CIDRs) or exact host names."""

    networks: tuple[IPNetwork, ...] = ()
    hostnames: frozenset[str] = frozenset()

    @classmethod
    def parse(cls, entries: Iterable[str]) -> AllowList:
        """Entries like `10.20.0.0/16`, `fd00::/8`, `192.168.1.5` or `hooks.internal.example`."""
        networks: list[IPNetwork] = []
        hostnames: set[str] = set()
        for entry in (entry.strip() for entry in entries):
            if not entry:
                continue
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                hostnames.add(_normalise_host(entry))
        return cls(tuple(networks), frozenset(hostnames))

    def permits_host(self, hostname: str) -> bool:
        return _normalise_host(hostname) in self.hostnames

    def permits_address(self, address: IPAddress) -> bool:
        return any(address in network for network in self.networks)


NOTHING_ALLOWED = AllowList()


def check_webhook_url(
    url: str, resolved_addresses: Iterable[str], allow_list: AllowList = NOTHING_ALLOWED
) -> None:
    """Raise `UnsafeWebhookUrl` unless `url` may be called at every one of its addresses."""
    parts = _split(url)
    hostname = parts.hostname or ""
    addresses = list(resolved_addresses)
    if _literal_address(hostname) is not None:
        addresses.append(hostname)
    if not addresses:
        raise UnsafeWebhookUrl(UrlRefusal.UNRESOLVED, hostname)
    if allow_list.permits_host(hostname):
        return
    for text in addresses:
        address = _parse_address(text)
        if is_internal_address(address) and not allow_list.permits_address(address):
            raise UnsafeWebhookUrl(UrlRefusal.PRIVATE_ADDRESS, str(address))


def is_internal_address(address: IPAddress) -> bool:
    """Whether an address is anything but a public unicast one (IPv4 inside IPv6 unwrapped)."""
    embedded = _embedded_ipv4(address)
    if embedded is not None:
        return is_internal_address(embedded)
    return (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global  # also catches 100.64.0.0/10 (carrier-grade NAT)
    )


def _split(url: str) -> SplitResult:
    try:
        parts = urlsplit(url.strip())
        _ = parts.port  # raises ValueError on a port out of range
    except ValueError:
        raise UnsafeWebhookUrl(UrlRefusal.MALFORMED)
    if parts.scheme.lower() not in ALLOWED_SCHEMES:
        raise UnsafeWebhookUrl(UrlRefusal.SCHEME, parts.scheme or "none")
    if parts.username is not None or parts.password is not None:
        raise UnsafeWebhookUrl(UrlRefusal.CREDENTIALS)
    if not parts.hostname:
        raise UnsafeWebhookUrl(UrlRefusal.NO_HOST)
    return parts


def _parse_address(text: str) -> IPAddress:
    try:
        return ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        raise UnsafeWebhookUrl(UrlRefusal.BAD_ADDRESS, text)


def _literal_address(hostname: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(hostname)
    except ValueError:
        return None


def _embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries (mapped ::ffff:a.b.c.d, 6to4, NAT64), if any."""
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def _normalise_host(hostname: str) -> str:
    return hostname.strip().lower().rstrip(".")
