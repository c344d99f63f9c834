"""Request dates are ISO calendar dates: 0 or "0" is not quietly read as 1970-01-01."""

from __future__ import annotations

from datetime import date

import pytest
from accord_common.web.types import IsoDate
from pydantic import BaseModel, ValidationError


class Body(BaseModel):
    service_date: IsoDate
    paid_on: IsoDate | None = None


@pytest.mark.parametrize("value", ["2026-01-01", date(2026, 1, 1)])
def test_iso_dates_are_accepted(value: object) -> None:
    assert Body(service_date=value).service_date == date(2026, 1, 1)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [0, "0", 1700000000, "20260101", "01/02/2026", "2026-13-01", ""])
def test_anything_else_is_refused_naming_the_field(value: object) -> None:
    with pytest.raises(ValidationError) as raised:
        Body(service_date=value)  # type: ignore[arg-type]
    assert raised.value.errors()[0]["loc"] == ("service_date",)


def test_optional_dates_stay_optional() -> None:
    assert Body(service_date="2026-01-01").paid_on is None
    assert Body.model_json_schema()["properties"]["service_date"]["format"] == "date"
