"""The console's pure rules: figures to the cent, who may do what, worklist totals, chart geometry."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from console.domain.charts import CHART_HEIGHT, MonthFigures, bar_height, expected_vs_paid, last_months
from console.domain.figures import dollars, is_cents, percent
from console.domain.permissions import ObligationMove, VarianceMove, obligation_moves, variance_moves
from console.domain.worklist import GroupBy, regroup, total


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("20.00", "$20.00"),
        ("1234.5", "$1,234.50"),
        ("-20", "-$20.00"),
        ("0.005", "$0.01"),  # half a cent rounds up, as remittance advice does
        ("1000000.10", "$1,000,000.10"),
        (None, "$0.00"),
        ("not a number", "$0.00"),
    ],
)
def test_amounts_read_to_the_cent(value: object, shown: str) -> None:
    assert dollars(value) == shown


@pytest.mark.parametrize(
    ("rate", "shown"), [("0.1250", "12.5%"), ("0.0000", "0%"), ("1", "100%"), (None, "n/a")]
)
def test_rates_read_as_percentages(rate: object, shown: str) -> None:
    assert percent(rate) == shown


@pytest.mark.parametrize(
    ("text", "ok"),
    [("28.95", True), ("100", True), ("0", True), ("28.955", False), ("-1", False), ("abc", False)],
)
def test_a_recovered_amount_is_dollars_and_cents(text: str, ok: bool) -> None:
    assert is_cents(text) is ok


ANALYST = {"claims:read", "claims:write", "obligations:read", "obligations:write"}
AUDITOR = {"claims:read", "obligations:read"}


@pytest.mark.parametrize(
    ("status", "scopes", "moves"),
    [
        ("open", ANALYST, (VarianceMove.APPEALED, VarianceMove.WRITTEN_OFF)),
        ("appealed", ANALYST, (VarianceMove.RECOVERED, VarianceMove.WRITTEN_OFF)),
        ("recovered", ANALYST, ()),
        ("written_off", ANALYST, ()),
        ("open", AUDITOR, ()),  # no claims:write: no action offered
        ("open", {"admin"}, (VarianceMove.APPEALED, VarianceMove.WRITTEN_OFF)),
        ("something new", ANALYST, ()),
    ],
)
def test_variance_moves_follow_the_workflow_and_the_scopes(
    status: str, scopes: set[str], moves: tuple[VarianceMove, ...]
) -> None:
    assert variance_moves(status, scopes) == moves


@pytest.mark.parametrize(
    ("status", "scopes", "offered"),
    [("open", ANALYST, True), ("completed", ANALYST, False), ("open", AUDITOR, False)],
)
def test_deadline_actions_need_an_open_deadline_and_obligations_write(
    status: str, scopes: set[str], offered: bool
) -> None:
    expected = (ObligationMove.COMPLETE, ObligationMove.WAIVE, ObligationMove.SNOOZE) if offered else ()
    assert obligation_moves(status, scopes) == expected


WORKLIST = [
    {
        "payer_id": "60054",
        "contract_id": "c1",
        "code": "99213",
        "carc": "45",
        "amount": "20.00",
        "expected_allowed": "100.00",
        "paid": "80.00",
        "claim_count": 1,
        "line_count": 1,
        "oldest_remittance": "2026-04-02",
    },
    {
        "payer_id": "60054",
        "contract_id": "c1",
        "code": "99214",
        "carc": "45",
        "amount": "35.10",
        "expected_allowed": "135.10",
        "paid": "100.00",
        "claim_count": 2,
        "line_count": 2,
        "oldest_remittance": "2026-03-20",
    },
    {
        "payer_id": "87726",
        "contract_id": "c2",
        "code": "99213",
        "carc": "97",
        "amount": "0.01",
        "expected_allowed": "100.00",
        "paid": "99.99",
        "claim_count": 1,
        "line_count": 1,
        "oldest_remittance": "2026-05-01",
    },
]


def test_the_worklist_regroups_by_payer_with_totals_to_the_cent() -> None:
    groups = regroup(WORKLIST, GroupBy.PAYER)
    assert [(g.key, g.amount, g.claim_count, g.oldest_remittance) for g in groups] == [
        ("60054", Decimal("55.10"), 3, "2026-03-20"),
        ("87726", Decimal("0.01"), 1, "2026-05-01"),
    ]
    assert total(groups) == Decimal("55.11")


def test_the_worklist_regroups_by_code_largest_first() -> None:
    groups = regroup(WORKLIST, GroupBy.CODE)
    assert [(g.key, g.amount, g.expected_allowed, g.paid) for g in groups] == [
        ("99214", Decimal("35.10"), Decimal("135.10"), Decimal("100.00")),
        ("99213", Decimal("20.01"), Decimal("200.00"), Decimal("179.99")),
    ]


def test_bars_share_one_scale_and_the_largest_fills_the_chart() -> None:
    months = [
        MonthFigures(date(2026, 3, 1), Decimal("200.00"), Decimal("160.00")),
        MonthFigures(date(2026, 4, 1), Decimal("0"), Decimal("0")),
    ]
    march, april = expected_vs_paid(months)
    assert [b.height for b in march.bars] == [CHART_HEIGHT, 128]  # 160 / 200 of 160 px
    assert march.bars[1].title == "Mar 2026: paid $160.00"
    assert [b.height for b in april.bars] == [0, 0]
    assert bar_height(Decimal("1"), Decimal("0")) == 0


def test_the_last_months_end_with_the_month_of_the_day_given() -> None:
    assert last_months(date(2026, 2, 15), 3) == [
        (date(2025, 12, 1), date(2025, 12, 31)),
        (date(2026, 1, 1), date(2026, 1, 31)),
        (date(2026, 2, 1), date(2026, 2, 28)),
    ]
    assert last_months(date(2028, 2, 29), 1) == [(date(2028, 2, 1), date(2028, 2, 29))]


# --- OpenID Connect sign-in (authorization code + PKCE) ------------------------------------------


def test_the_pkce_challenge_is_the_rfc_7636_example() -> None:
    from console.domain.oidc import code_challenge

    # RFC 7636, appendix B
    assert (
        code_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
        == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    )


def test_the_authorization_url_carries_state_nonce_and_challenge() -> None:
    from urllib.parse import parse_qs, urlsplit

    from console.domain.oidc import PendingSignIn, authorization_url, code_challenge

    pending = PendingSignIn("st-1", "n-1", "v" * 43, "/worklist")
    url = authorization_url("https://idp.example/auth?realm=staff", "accord-console", "https://c/cb", pending)
    query = parse_qs(urlsplit(url).query)
    assert query["realm"] == ["staff"] and query["state"] == ["st-1"] and query["nonce"] == ["n-1"]
    assert query["code_challenge"] == [code_challenge("v" * 43)] and query["code_challenge_method"] == [
        "S256"
    ]
    assert query["scope"] == ["openid email profile"] and query["redirect_uri"] == ["https://c/cb"]
    assert (
        pending.state_matches("st-1")
        and not pending.state_matches("st-2")
        and not pending.state_matches(None)
    )


@pytest.mark.parametrize(
    ("cause", "label"),
    [
        ("escalator_not_applied", "Escalator not applied (last year's rate)"),
        ("denied_timely_filing", "Denied: timely filing"),
        ("a_cause_added_later", "A cause added later"),
    ],
)
def test_a_root_cause_reads_in_a_persons_words(cause: str, label: str) -> None:
    from console.domain.projects import cause_label

    assert cause_label(cause) == label
