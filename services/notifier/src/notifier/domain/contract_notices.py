"""What a contract lifecycle event says to a contracting analyst.

contract.created / amended / activated / renewed / terminated carry the full effective version
(ContractVersionData: no patient data). The mail names the payer, the contract and the version,
gives the effective dates, says what happened and what to do, and lists the terms that differ
from the previous version when the handler adds it as `previous_version` ({"version": n,
"terms": version_terms(...)}); without it the mail says there was nothing to compare with.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from .contract_terms import describe_terms, term_changes, version_terms
from .formatting import UNKNOWN, RecordLinks, humanise, long_date, text_of
from .notices import Notice, Payload, contract_label, payer_label

CONTRACT_EVENT_TYPES = (
    "contract.created",
    "contract.amended",
    "contract.activated",
    "contract.renewed",
    "contract.terminated",
)

ACTIONS = {
    "contract.created": "check the terms below against the signed contract and send it for approval; "
    "Accord prices claims and tracks deadlines under it once it is active",
    "contract.amended": "check the changed terms against the signed amendment, and tell billing what "
    "changes for claims with service dates from {effective_from}",
    "contract.activated": "let billing know these terms now apply; Accord prices claims under them and "
    "puts any underpayment on the worklist",
    "contract.renewed": "note the new term's dates; Accord has moved the renewal and notice deadlines "
    "to match, under Obligations",
    "contract.terminated": "plan for services after {last_day}: unless a new contract is signed they "
    "are out of network; appeals under this contract still have to go in within its appeal window",
}


def contract_facts(event_type: str, data: Payload, links: RecordLinks) -> dict[str, object]:
    """The facts every contract mail shows, worded for the template."""
    terms = version_terms(data)
    last_day = data.get("effective_to") or terms.get("termination_date")
    facts: dict[str, object] = {
        "contract_ref": text_of(data, "contract_name", f"contract {text_of(data, 'contract_id')}"),
        "contract": contract_label(data),
        "payer": payer_label(data),
        "version": text_of(data, "version"),
        "status": humanise(text_of(data, "status")),
        "effective_from": long_date(data.get("effective_from")),
        "effective_to": long_date(data.get("effective_to")) if data.get("effective_to") else "no end date",
        "last_day": long_date(last_day),
        "terms": describe_terms(terms),
        "link": links.contract(data.get("contract_id")),
    }
    facts["verb"] = _verb(event_type, data)
    facts["headline"] = _headline(event_type, facts)
    facts["notes"] = _notes(event_type, data)
    facts["action"] = ACTIONS[event_type].format(**facts)
    facts |= _comparison(data.get("previous_version"), terms)
    return facts


def _verb(event_type: str, data: Payload) -> str:
    if event_type == "contract.terminated" and text_of(data, "status", "") == "expired":
        return "expired"
    return "added" if event_type == "contract.created" else event_type.removeprefix("contract.")


def _headline(event_type: str, facts: Mapping[str, object]) -> str:
    who = f"{facts['contract']} with {facts['payer']}"
    who = who[:1].upper() + who[1:]
    to = f" to {facts['effective_to']}" if facts["effective_to"] != "no end date" else ", with no end date"
    runs = f"from {facts['effective_from']}{to}"
    version = f"version {facts['version']}"
    ended = "expired without renewal" if facts["verb"] == "expired" else "been terminated"
    return {
        "contract.created": f"{who} has been added to Accord as {version} ({facts['status']}), {runs}.",
        "contract.amended": f"{who} has been amended: {version} applies {runs}.",
        "contract.activated": f"{who} is now active: {version} applies {runs}.",
        "contract.renewed": f"{who} has been renewed: {version} runs {runs}.",
        "contract.terminated": f"{who} has {ended}; its last day is {facts['last_day']}.",
    }[event_type]


def _notes(event_type: str, data: Payload) -> tuple[str, ...]:
    notes = []
    if event_type == "contract.amended" and data.get("retroactive"):
        notes.append(
            "The change is retroactive: claims already priced under the earlier terms will be priced again."
        )
    if event_type == "contract.amended" and data.get("payer_initiated"):
        window = text_of(data, "objection_window_days", "")
        notes.append(
            f"The payer proposed this change; any objection has to reach them in writing within {window} "
            "days (Accord tracks that deadline under Obligations)."
            if window
            else "The payer proposed this change."
        )
    if event_type == "contract.terminated" and data.get("termination_reason"):
        notes.append(f"Reason given: {text_of(data, 'termination_reason')}.")
    return tuple(notes)


def _comparison(previous: object, terms: Mapping[str, object]) -> dict[str, object]:
    """What changed from the previous version, when the handler knows it."""
    if not isinstance(previous, Mapping) or not isinstance(previous.get("terms"), Mapping):
        return {
            "changes": (),
            "comparison": "Accord holds no earlier version of this contract to compare with, "
            "so here are the terms as they stand.",
        }
    before = f"version {text_of(previous, 'version', UNKNOWN)}"
    changes = term_changes(previous["terms"], terms)
    if not changes:
        return {"changes": (), "comparison": f"None of the terms Accord tracks changed from {before}."}
    return {"changes": changes, "comparison": f"What changed from {before}:"}


def _present(event_type: str) -> Callable[[Payload, RecordLinks], Notice]:
    def present(data: Payload, links: RecordLinks) -> Notice:
        facts = contract_facts(event_type, data, links)
        when = (
            f"last day {facts['last_day']}"
            if event_type == "contract.terminated"
            else f"effective {facts['effective_from']}"
        )
        subject = (
            f"Contract {facts['verb']}: {facts['contract_ref']} with {facts['payer']} "
            f"(version {facts['version']}, {when})"
        )
        named = f"{facts['contract_ref']} ({facts['payer']})"
        summary = f"{named} {facts['verb']}: version {facts['version']}, {when}"
        return Notice(event_type, "contract_changed", subject, summary, str(facts["link"]), facts)

    return present


CONTRACT_PRESENTERS: dict[str, Callable[[Payload, RecordLinks], Notice]] = {
    event_type: _present(event_type) for event_type in CONTRACT_EVENT_TYPES
}
