"""The shared guards against hostile input: the amount bound, strict integers, download names."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import unquote

import pytest
from accord_common.amounts import MAX_AMOUNT, MAX_RATE, AmountError, parse_amount
from accord_common.web.download import content_disposition
from accord_common.web.types import Amount, WholeNumber
from pydantic import BaseModel, ValidationError

D = Decimal


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("150", D("150")),
        (" 150.00 ", D("150.00")),
        ("-3.17", D("-3.17")),
        ("0.123456", D("0.123456")),
        ("999999999.99", MAX_AMOUNT),
    ],
)
def test_a_plain_decimal_is_an_amount(text: str, expected: Decimal) -> None:
    assert parse_amount(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "NaN",
        "sNaN",
        "Infinity",
        "1e30",
        "1e999999",
        "１５０",
        "1,200.00",
        "$12",
        "1.1234567",
        "1000000000",
        ".",
    ],
)
def test_anything_else_is_refused(text: str) -> None:
    with pytest.raises(AmountError):
        parse_amount(text)


def test_a_rate_has_the_smaller_bound() -> None:
    assert parse_amount("9999999.99", MAX_RATE) == MAX_RATE
    with pytest.raises(AmountError, match=r"at most 9999999\.99"):
        parse_amount("10000000.00", MAX_RATE)


class _Body(BaseModel):
    amount: Amount | None = None
    days: list[WholeNumber] = []


@pytest.mark.parametrize(
    "body",
    [
        '{"amount": true}',
        '{"amount": "１５０"}',
        '{"amount": 1e30}',
        '{"amount": "NaN"}',
        '{"days": [false]}',
        '{"days": ["5"]}',
    ],
)
def test_request_models_refuse_booleans_and_odd_numbers(body: str) -> None:
    with pytest.raises(ValidationError):
        _Body.model_validate_json(body)


def test_request_models_take_numbers_and_strings_of_them() -> None:
    assert _Body.model_validate_json('{"amount": "88.95", "days": [90, 7]}') == _Body(
        amount=D("88.95"), days=[90, 7]
    )
    assert _Body.model_validate_json('{"amount": 88.95}').amount == D("88.95")


@pytest.mark.parametrize(
    ("name", "fallback"),
    [
        ("contract.pdf", "contract.pdf"),
        ("合同.pdf", "__.pdf"),
        ('a"; filename=evil.html; x=".pdf', "a__ filename=evil.html_ x=_.pdf"),
        ("two\nlines.pdf", "two lines.pdf"),
        ("", "download"),
    ],
)
def test_content_disposition_encodes_any_name(name: str, fallback: str) -> None:
    header = content_disposition(name)
    header.encode("latin-1")  # a valid header value
    assert header.startswith(f"attachment; filename=\"{fallback}\"; filename*=UTF-8''")
    assert header.count(";") == 2
    assert unquote(header.split("''", 1)[1]) == (name.replace("\n", " ") or "download")
