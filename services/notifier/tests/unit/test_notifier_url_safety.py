"""Webhook URLs must not reach into a private network."""

import pytest
from notifier.domain import AllowList, UnsafeWebhookUrl, UrlRefusal, check_webhook_url

PUBLIC_V4 = "93.184.215.14"
PUBLIC_V6 = "2606:2800:21f:cb07:6820:80da:af6b:8b2c"


@pytest.mark.parametrize(
    ("url", "addresses"),
    [
        ("https://hooks.clinic.example/accord", [PUBLIC_V4]),
        ("http://hooks.clinic.example:8080/accord?x=1", [PUBLIC_V4]),
        ("HTTPS://Hooks.Clinic.Example/accord", [PUBLIC_V4, PUBLIC_V6]),
        ("https://93.184.215.14/hook", []),
        ("https://[2606:2800:21f:cb07:6820:80da:af6b:8b2c]/hook", []),
        ("https://hooks.clinic.example/", ["::ffff:93.184.215.14"]),
    ],
)
def test_public_destinations_pass(url: str, addresses: list[str]) -> None:
    check_webhook_url(url, addresses)


@pytest.mark.parametrize(
    ("url", "addresses", "refusal"),
    [
        ("ftp://hooks.clinic.example/", [PUBLIC_V4], UrlRefusal.SCHEME),
        ("file:///etc/passwd", [], UrlRefusal.SCHEME),
        ("gopher://hooks.clinic.example/", [PUBLIC_V4], UrlRefusal.SCHEME),
        ("hooks.clinic.example/accord", [PUBLIC_V4], UrlRefusal.SCHEME),
        ("https://user:pass@hooks.clinic.example/", [PUBLIC_V4], UrlRefusal.CREDENTIALS),
        ("https://token@hooks.clinic.example/", [PUBLIC_V4], UrlRefusal.CREDENTIALS),
        ("https:///accord", [PUBLIC_V4], UrlRefusal.NO_HOST),
        ("https://hooks.clinic.example:99999/", [PUBLIC_V4], UrlRefusal.MALFORMED),
        ("https://[::1/", [], UrlRefusal.MALFORMED),
        ("https://hooks.clinic.example/", [], UrlRefusal.UNRESOLVED),
        ("https://hooks.clinic.example/", ["not-an-ip"], UrlRefusal.BAD_ADDRESS),
        ("http://127.0.0.1/", [], UrlRefusal.PRIVATE_ADDRESS),
        ("http://localhost/", ["127.0.0.1"], UrlRefusal.PRIVATE_ADDRESS),
        ("http://[::1]/", [], UrlRefusal.PRIVATE_ADDRESS),
        ("http://hooks.clinic.example/", ["10.0.0.5"], UrlRefusal.PRIVATE_ADDRESS),
        ("http://hooks.clinic.example/", ["172.16.4.2"], UrlRefusal.PRIVATE_ADDRESS),
        ("http://hooks.clinic.example/", ["192.168.1.20"], UrlRefusal.PRIVATE_ADDRESS),
        ("http://hooks.clinic.example/", ["100.64.0.1"], UrlRefusal.PRIVATE_ADDRESS),
        ("http://metadata.example/", ["169.254.169.254"], UrlRefusal.PRIVATE_ADDRESS),
        ("http://hooks.clinic.example/", ["fe80::1"], UrlRefusal.PRIVATE_ADDRESS),
        ("http://hooks.clinic.example/", ["fd12:3456::1"], UrlRefusal.PRIVATE_ADDRESS),
        ("http://hooks.clinic.example/", ["224.0.0.1"], UrlRefusal.PRIVATE_ADDRESS),
        ("http://hooks.clinic.example/", ["ff02::1"], UrlRefusal.PRIVATE_ADDRESS),
        ("http://hooks.clinic.example/", ["240.0.0.1"], UrlRefusal.PRIVATE_ADDRESS),
        ("http://hooks.clinic.example/", ["0.0.0.0"], UrlRefusal.PRIVATE_ADDRESS),
        ("http://hooks.clinic.example/", ["::"], UrlRefusal.PRIVATE_ADDRESS),
        ("http://hooks.clinic.example/", ["255.255.255.255"], UrlRefusal.PRIVATE_ADDRESS),
        ("http://hooks.clinic.example/", ["::ffff:10.0.0.5"], UrlRefusal.PRIVATE_ADDRESS),
        ("http://hooks.clinic.example/", ["::ffff:127.0.0.1"], UrlRefusal.PRIVATE_ADDRESS),
        ("http://hooks.clinic.example/", ["2002:a00:5::1"], UrlRefusal.PRIVATE_ADDRESS),
        ("http://hooks.clinic.example/", ["64:ff9b::a9fe:a9fe"], UrlRefusal.PRIVATE_ADDRESS),
        # One bad address among good ones is enough: the adapter may connect to any of them.
        ("http://hooks.clinic.example/", [PUBLIC_V4, "10.0.0.5"], UrlRefusal.PRIVATE_ADDRESS),
        # A literal private host is refused even if the resolver reported something else.
        ("http://10.0.0.5/", [PUBLIC_V4], UrlRefusal.PRIVATE_ADDRESS),
    ],
)
def test_unsafe_destinations_are_refused(url: str, addresses: list[str], refusal: UrlRefusal) -> None:
    with pytest.raises(UnsafeWebhookUrl) as refused:
        check_webhook_url(url, addresses)
    assert refused.value.refusal is refusal
    assert refused.value.field == "url"


INTERNAL = AllowList.parse(["10.20.0.0/16", "fd00::/8", "hooks.internal.example.", " "])


@pytest.mark.parametrize(
    ("url", "addresses", "allowed"),
    [
        ("http://billing.corp/", ["10.20.3.4"], True),
        ("http://billing.corp/", ["10.21.3.4"], False),
        ("http://billing.corp/", ["10.20.3.4", "10.21.3.4"], False),
        ("http://billing.corp/", ["fd12::1"], True),
        ("http://Hooks.Internal.Example/", ["192.168.7.7"], True),
        ("http://hooks.internal.example./", ["127.0.0.1"], True),
        ("http://other.internal.example/", ["192.168.7.7"], False),
        ("http://[fd00::5]/", [], True),
    ],
)
def test_the_allow_list_permits_named_internal_destinations(
    url: str, addresses: list[str], allowed: bool
) -> None:
    if allowed:
        check_webhook_url(url, addresses, INTERNAL)
    else:
        with pytest.raises(UnsafeWebhookUrl):
            check_webhook_url(url, addresses, INTERNAL)


@pytest.mark.parametrize("url", ["ftp://hooks.internal.example/", "http://u:p@hooks.internal.example/"])
def test_the_allow_list_never_permits_a_bad_scheme_or_credentials(url: str) -> None:
    with pytest.raises(UnsafeWebhookUrl):
        check_webhook_url(url, ["10.20.0.1"], INTERNAL)
