"""Which events reach which subscription."""

from datetime import UTC, datetime
from decimal import Decimal
from uuid import UUID

import pytest
from notifier.domain import (
    EmailChannel,
    EventPattern,
    NotifierDomainError,
    Subscription,
    SubscriptionFilter,
    matches,
)

ORG = UUID("11111111-1111-4111-8111-111111111111")
OTHER_ORG = UUID("22222222-2222-4222-8222-222222222222")
AETNA = "a0000000-0000-4000-8000-00000000aaaa"
CIGNA = "c0000000-0000-4000-8000-00000000cccc"
CONTRACT = "c0a7ac70-0000-4000-8000-000000000001"


def subscription(*patterns: str, filters: SubscriptionFilter | None = None) -> Subscription:
    return Subscription(
        id=UUID("33333333-3333-4333-8333-333333333333"),
        organization_id=ORG,
        event_types=tuple(EventPattern(p) for p in patterns),
        channel=EmailChannel.to(["revenue.cycle@clinic.example"]),
        filters=filters or SubscriptionFilter(),
    )


def event(**fields: object) -> dict[str, object]:
    return {"organization_id": str(ORG), **fields}


@pytest.mark.parametrize(
    ("pattern", "event_type", "expected"),
    [
        ("*", "claim.variance_detected", True),
        ("*", "obligation.due_soon", True),
        ("obligation.*", "obligation.due_soon", True),
        ("obligation.*", "obligation.overdue", True),
        ("obligation.*", "obligations.overdue", False),
        ("obligation.*", "obligation", False),
        ("obligation.*", "claim.variance_detected", False),
        ("claim.variance_detected", "claim.variance_detected", True),
        ("claim.variance_detected", "claim.paid", False),
        ("*.overdue", "obligation.overdue", True),
        ("*.overdue", "obligation.due_soon", False),
        ("contract.*", "contract.amended", True),
    ],
)
def test_event_type_patterns(pattern: str, event_type: str, expected: bool) -> None:
    assert matches(subscription(pattern), event_type, event()) is expected


@pytest.mark.parametrize("pattern", ["", "obligation.", "obli*", "Obligation.due", "a..b", "**"])
def test_malformed_patterns_are_refused(pattern: str) -> None:
    with pytest.raises(NotifierDomainError, match="event_types"):
        EventPattern(pattern)


def test_any_of_several_patterns_matches() -> None:
    both = subscription("claim.variance_detected", "obligation.overdue")
    assert matches(both, "obligation.overdue", event())
    assert not matches(both, "obligation.created", event())


@pytest.mark.parametrize(
    ("filters", "data", "expected"),
    [
        (SubscriptionFilter(), {}, True),
        (SubscriptionFilter(payer_id=AETNA), {"payer_id": AETNA}, True),
        (SubscriptionFilter(payer_id=AETNA), {"payer_id": AETNA.upper()}, True),
        (SubscriptionFilter(payer_id=AETNA), {"payer_id": CIGNA}, False),
        (SubscriptionFilter(payer_id=AETNA), {}, False),
        (SubscriptionFilter(contract_id=CONTRACT), {"contract_id": CONTRACT}, True),
        (SubscriptionFilter(contract_id=CONTRACT), {"contract_id": "other"}, False),
        (SubscriptionFilter(min_variance_amount=Decimal("500")), {"variance": "-512.40"}, True),
        (SubscriptionFilter(min_variance_amount=Decimal("500")), {"variance": "500.00"}, True),
        (SubscriptionFilter(min_variance_amount=Decimal("500")), {"variance": "499.99"}, False),
        (SubscriptionFilter(min_variance_amount=Decimal("500")), {"variance": 612}, True),
        (SubscriptionFilter(min_variance_amount=Decimal("500")), {"variance": "n/a"}, False),
        (SubscriptionFilter(min_variance_amount=Decimal("500")), {"variance": "NaN"}, False),
        (SubscriptionFilter(min_variance_amount=Decimal("500")), {}, False),
        (SubscriptionFilter(obligation_kind="appeal"), {"kind": "appeal"}, True),
        (SubscriptionFilter(obligation_kind="appeal"), {"kind": "renewal_notice"}, False),
        (
            SubscriptionFilter(payer_id=AETNA, min_variance_amount=Decimal("100")),
            {"payer_id": AETNA, "variance": "-250.00"},
            True,
        ),
        (
            SubscriptionFilter(payer_id=AETNA, min_variance_amount=Decimal("100")),
            {"payer_id": CIGNA, "variance": "-250.00"},
            False,
        ),
    ],
)
def test_filters_narrow_the_subscription(
    filters: SubscriptionFilter, data: dict[str, object], expected: bool
) -> None:
    assert matches(subscription("*", filters=filters), "claim.variance_detected", event(**data)) is expected


@pytest.mark.parametrize("organisation", [str(OTHER_ORG), None, "", str(ORG).upper()])
def test_only_the_subscribers_own_organisation_matches(organisation: str | None) -> None:
    data = {"organization_id": organisation} if organisation is not None else {}
    expected = organisation == str(ORG).upper()
    assert matches(subscription("*"), "obligation.overdue", data) is expected


def test_a_disabled_subscription_matches_nothing_until_enabled() -> None:
    now = datetime(2025, 3, 14, 9, 0, tzinfo=UTC)
    disabled = subscription("*").disabled(now, "endpoint answered 410 Gone")
    assert not matches(disabled, "obligation.overdue", event())
    assert disabled.disabled_reason == "endpoint answered 410 Gone"
    assert matches(disabled.enabled(), "obligation.overdue", event())


def test_a_subscription_needs_an_event_type() -> None:
    with pytest.raises(NotifierDomainError, match="event_types"):
        subscription()


@pytest.mark.parametrize("minimum", [Decimal("-1"), Decimal("NaN"), Decimal("Infinity")])
def test_minimum_variance_must_be_a_non_negative_amount(minimum: Decimal) -> None:
    with pytest.raises(NotifierDomainError, match="min_variance_amount"):
        SubscriptionFilter(min_variance_amount=minimum)
