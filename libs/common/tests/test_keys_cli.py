"""The issue-api-key command line: a typo in a scope is a usage error naming it, not a traceback."""

from __future__ import annotations

import pytest
from accord_common.auth import UnknownScopes, parse_scopes
from accord_common.cli import build_parser


@pytest.mark.parametrize(
    ("text", "scopes"),
    [
        ("contracts:read", {"contracts:read"}),
        (" contracts:read , claims:write ,", {"contracts:read", "claims:write"}),
        ("keys:admin", {"keys:admin"}),
    ],
)
def test_scopes_are_parsed(text: str, scopes: set[str]) -> None:
    assert parse_scopes(text) == scopes


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("contracts:wirte", "unknown scope: contracts:wirte (valid: admin, claims:read,"),
        ("contracts:read,Claims:Read,x", "unknown scopes: Claims:Read, x (valid:"),
        (" , ", "name at least one scope"),
    ],
)
def test_a_bad_scope_list_is_a_usage_error_naming_the_scope(
    text: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        build_parser("contract-registry").parse_args(
            ["issue-api-key", "--org", "org-a", "--name", "Dana", "--scopes", text]
        )
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert f"argument --scopes: {message}" in err and "Traceback" not in err


def test_unknown_scopes_is_a_value_error_listing_them() -> None:
    with pytest.raises(UnknownScopes) as refused:
        parse_scopes("contracts:read,obligations:wrte")
    assert refused.value.unknown == {"obligations:wrte"}
