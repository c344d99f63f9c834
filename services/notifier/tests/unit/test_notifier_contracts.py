"""The contract projection's rules: which version is held, and the names it lends a mail."""

from __future__ import annotations

from typing import Any

import pytest
from accord_common.events import CATALOGUE
from notifier.adapters.secret_box import FernetSecretBox
from notifier.config import DEVELOPMENT_SECRET_ENCRYPTION_KEY
from notifier.domain import CONTRACT_EVENT_TYPES, ContractSummary, RecordLinks, render_email
from notifier.entrypoints.consumers import event_handlers

ORG = "org-a"
LINKS = RecordLinks("https://accord.clinic.example")


def summary(version: int = 1, status: str = "draft", **overrides: Any) -> ContractSummary:
    values: dict[str, Any] = {
        "contract_id": "c-1",
        "organization_id": ORG,
        "payer_id": "payer-acme",
        "version": version,
        "status": status,
        "contract_name": "Acme PPO 2027",
        "payer_name": "Acme Health Plan",
    }
    return ContractSummary(**(values | overrides))


def test_the_first_version_seen_is_held() -> None:
    assert summary().supersedes(None)


@pytest.mark.parametrize(
    ("held", "incoming", "applied"),
    [
        ((1, "active"), (2, "active"), True),  # a newer version
        ((1, "active"), (2, "draft"), True),  # a newer version, whatever its status
        ((2, "active"), (1, "active"), False),  # an older version, arriving late
        ((2, "draft"), (1, "terminated"), False),  # older stays older even with a later status
        ((1, "active"), (1, "active"), False),  # the same event again
        ((1, "draft"), (1, "active"), True),  # activated: the same version, a new status
        ((1, "active"), (1, "terminated"), True),
        ((1, "active"), (1, "expired"), True),
        ((1, "active"), (1, "draft"), False),  # created arriving after activated (other topic)
        ((1, "terminated"), (1, "active"), False),
        ((1, "active"), (1, "suspended"), True),  # a status this service does not know of
        ((1, "suspended"), (1, "draft"), True),
    ],
)
def test_only_a_newer_version_or_a_status_change_of_the_same_version_is_applied(
    held: tuple[int, str], incoming: tuple[int, str], applied: bool
) -> None:
    assert summary(*incoming).supersedes(summary(*held)) is applied


@pytest.mark.parametrize(
    ("held", "incoming", "applied"),
    [
        ((1, "draft", 1), (1, "draft", 2), True),  # a draft edited in place: same number, newer revision
        ((1, "draft", 2), (1, "active", 3), True),  # its activation
        ((1, "active", 3), (1, "draft", 2), False),  # the edit delivered late from another topic
        ((1, "active", 3), (1, "active", 3), False),  # the same event again
        ((3, "active", 5), (2, "active", 6), True),  # version 3 withdrawn: version 2 is latest again
        ((2, "active", 4), (3, "active", 3), False),  # a higher number with a stale revision
    ],
)
def test_the_newest_revision_is_applied_whatever_its_version_number(
    held: tuple[int, str, int], incoming: tuple[int, str, int], applied: bool
) -> None:
    def of(version: int, status: str, revision: int) -> ContractSummary:
        return summary(version, status, revision=revision)

    assert of(*incoming).supersedes(of(*held)) is applied


def test_a_summary_is_read_from_a_contract_version_payload_and_keeps_no_terms() -> None:
    data = {
        "contract_id": "c-1",
        "organization_id": ORG,
        "payer_id": "payer-acme",
        "payer_name": "  Acme   Health Plan ",
        "contract_name": "",
        "status": "active",
        "version": 3,
        "revision": 7,
        "terms": {"effective_date": "2027-01-01"},
    }
    held = ContractSummary.from_event(data)
    assert (held.version, held.revision, held.status, held.payer_name, held.contract_name) == (
        3,
        7,
        "active",
        "Acme Health Plan",
        None,
    )
    assert not hasattr(held, "terms")


def test_names_are_added_where_the_event_has_none() -> None:
    data = {"organization_id": ORG, "contract_id": "c-1", "payer_id": "payer-acme", "title": "x"}
    named = summary().names_for(data)
    assert named["contract_name"] == "Acme PPO 2027" and named["payer_name"] == "Acme Health Plan"
    assert "contract_name" not in data  # the event's own data is left alone


def test_what_the_event_says_wins_and_another_payer_keeps_its_id() -> None:
    own = summary().names_for({"organization_id": ORG, "contract_id": "c-1", "contract_name": "Renamed"})
    assert own["contract_name"] == "Renamed" and own["payer_name"] == "Acme Health Plan"
    other = summary().names_for({"organization_id": ORG, "contract_id": "c-1", "payer_id": "payer-zen"})
    assert other["contract_name"] == "Acme PPO 2027" and "payer_name" not in other


def test_another_organisations_event_gets_no_names() -> None:
    named = summary().names_for({"organization_id": "org-b", "contract_id": "c-1"})
    assert "contract_name" not in named and "payer_name" not in named


def test_an_obligation_mail_names_the_payer_and_the_contract() -> None:
    data = {
        "obligation_id": "o-1",
        "organization_id": ORG,
        "kind": "renewal_notice",
        "status": "open",
        "due_date": "2027-10-02",
        "contract_id": "c-1",
        "payer_id": "payer-acme",
        "title": "Renewal notice",
    }
    mail = render_email("obligation.created", summary().names_for(data), LINKS)
    assert mail.subject == "New deadline: Renewal notice (Acme Health Plan, due Saturday 2 October 2027)"
    assert "for the Acme PPO 2027 contract with Acme Health Plan" in mail.text
    assert "payer-acme" not in mail.text and "c-1" not in mail.text


def test_contract_events_keep_the_projection_and_are_still_delivered() -> None:
    assert set(CONTRACT_EVENT_TYPES) <= set(CATALOGUE)
    handlers = event_handlers(7, FernetSecretBox([DEVELOPMENT_SECRET_ENCRYPTION_KEY]))
    on_contract = {handlers[t] for t in CONTRACT_EVENT_TYPES}
    assert len(on_contract) == 1 and handlers["obligation.created"] not in on_contract


def test_a_claim_naming_the_payer_by_its_x12_id_gets_the_payers_name() -> None:
    held = ContractSummary.from_event(
        {
            "contract_id": "c-1",
            "organization_id": ORG,
            "payer_id": "payer-acme",
            "payer_x12_id": "60054",
            "payer_name": "Acme Health Plan",
            "version": 1,
            "status": "active",
        }
    )
    variance = {
        "organization_id": ORG,
        "contract_id": "c-1",
        "payer_id": "60054",
        "patient_control_number": "P-1",
    }
    mail = render_email("claim.variance_detected", held.names_for(variance), LINKS)
    assert mail.subject.endswith("(Acme Health Plan)") and "60054" not in mail.text


def test_the_contract_events_the_notifier_projects_are_the_catalogue_s_contract_version_events() -> None:
    from accord_common.events import CONTRACT_VERSION_EVENTS
    from notifier.domain import CONTRACT_EVENT_TYPES

    assert tuple(CONTRACT_EVENT_TYPES) == CONTRACT_VERSION_EVENTS  # one list, kept in the catalogue
