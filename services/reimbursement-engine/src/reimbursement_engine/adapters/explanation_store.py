"""A priced claim's explanation stored as its steps (compact JSON) and rendered to text on read.

Pricing stores `encode(priced, context)` in `claims.explanation_steps`; a read renders the text
(`StoredExplanation.text`, character for character `PricedClaim.explain()` after the contract and
location context) or the steps as data (`StoredExplanation.view`) only for the claims it returns.
Claims priced before the column existed keep their text in `claims.explanation` (`read_text`
takes either).

Encoding, version 1 (lists, not objects: a claim has ~16 steps and keys would double the size):

    {"v": 1, "x": context or null,
     "h": [patient control number, contract, priced as of, charges, expected allowed],
     "l": [[line number, code, status, expected allowed, [step, ...]], ...],
     "k": [[term, expected allowed, [step, ...]], ...]}        (claim-level cases)
    step: [kind, template, [arg, ...], amount or null]

str, int, bool, float and null are JSON's own; the types JSON lacks are tagged so format specs work
on read: Decimal ["D", "1.50"] (its text as is: "5.480" stays "5.480"; amounts too), date
["T", "2025-04-01"], a multiple procedure rank list ["R", [[2, ["D", "50"]], ...]]. The steps (named
tuples) go to one `json.dumps` as they are; a step with an argument of any other type is stored
already rendered (its text as the template, no arguments).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from reimbursement_engine.adapters.explanation_text import money, render_step, step_text
from reimbursement_engine.domain.pricing import PricedClaim
from reimbursement_engine.domain.pricing.adjustments import Ranks
from reimbursement_engine.domain.pricing.explanation import Step, StepKind

VERSION = 1
_COMPACT = {"separators": (",", ":"), "ensure_ascii": False, "check_circular": False}


def _tagged(value: object) -> list[Any]:
    """JSON for the argument types JSON lacks (json.dumps's `default`: called only for those)."""
    kind = type(value)
    if kind is Decimal:
        return ["D", str(value)]
    if kind is date:
        return ["T", value.isoformat()]  # type: ignore[attr-defined]
    if kind is Ranks:
        return ["R", value.ranks]  # type: ignore[attr-defined]
    raise TypeError(f"{kind.__name__} is not stored as a step argument")


# made once: json.dumps with arguments builds an encoder per call (2,000 a re-pricing batch)
_ENCODER = json.JSONEncoder(default=_tagged, **_COMPACT)  # type: ignore[arg-type]

_UNTAG: dict[str, Callable[[Any], object]] = {
    "D": Decimal,
    "T": date.fromisoformat,
    "R": lambda ranks: Ranks([(rank, _arg(percent)) for rank, percent in ranks]),
}


def _arg(value: Any) -> Any:
    return _UNTAG[value[0]](value[1]) if type(value) is list else value


def encode(priced: PricedClaim, context: str | None) -> str:
    """The claim's explanation as compact JSON (see the module's docstring). Steps are named tuples:
    json writes them as lists in C, calling `_tagged` only for Decimals, dates and rank lists."""
    head = [
        priced.patient_control_number,
        priced.contract,
        priced.priced_as_of,
        priced.total_charges,
        priced.expected_allowed,
    ]
    lines: list[list[Any]] = [
        [ln.line_number, ln.code, ln.status, ln.expected_allowed, ln.steps] for ln in priced.lines
    ]
    cases: list[list[Any]] = [[case.term, case.expected_allowed, case.steps] for case in priced.cases]
    data = {"v": VERSION, "x": context, "h": head, "l": lines, "k": cases}
    try:
        return _ENCODER.encode(data)
    except TypeError:  # an argument of another type: such steps are stored as their text
        for item in (*lines, *cases):
            item[-1] = [_plain(step) for step in item[-1]]
        return _ENCODER.encode(data)


def _plain(step: Step) -> Step:
    try:
        json.dumps(step.args, default=_tagged)
    except TypeError:
        return Step(step.kind, step.text, (), step.amount)
    return step


@dataclass(frozen=True, slots=True)
class ExplainedItem:
    """A priced line (number and code) or claim-level case (term) with its steps."""

    line_number: int | None
    code: str | None
    status: str | None
    term: str | None
    expected_allowed: Decimal
    steps: tuple[Step, ...]


@dataclass(frozen=True, slots=True)
class StoredExplanation:
    context: str | None
    head: tuple[str, str, date, Decimal, Decimal]
    lines: tuple[ExplainedItem, ...]
    cases: tuple[ExplainedItem, ...]

    @classmethod
    def decode(cls, stored: str) -> StoredExplanation:
        data = json.loads(stored)
        if data.get("v") != VERSION:
            raise ValueError(f"explanation encoding version {data.get('v')!r} is not {VERSION}")
        pcn, contract, as_of, charges, allowed = data["h"]
        lines = tuple(
            ExplainedItem(n, code, status, None, _arg(amount), _decoded(steps))
            for n, code, status, amount, steps in data["l"]
        )
        cases = tuple(
            ExplainedItem(None, None, None, term, _arg(amount), _decoded(steps))
            for term, amount, steps in data["k"]
        )
        return cls(data["x"], (pcn, contract, _arg(as_of), _arg(charges), _arg(allowed)), lines, cases)

    def text(self) -> str:
        """The stored text of before: the context, then `PricedClaim.explain()`."""
        pcn, contract, as_of, charges, allowed = self.head
        out = [self.context] if self.context else []
        out.append(
            f"Claim {pcn}, {contract}, priced {as_of}: "
            f"charges {money(charges)}, expected allowed {money(allowed)}"
        )
        for line in self.lines:
            out.append(
                f"  line {line.line_number} {line.code} [{line.status}] {money(line.expected_allowed)}"
            )
            out.extend(["    " + render_step(step) for step in line.steps])
        for case in self.cases:
            out.append(f"  claim-level {case.term} {money(case.expected_allowed)}")
            out.extend(["    " + render_step(step) for step in case.steps])
        return "\n".join(out)

    def view(self) -> dict[str, Any]:
        """The steps as data: per line (and claim-level case) each step's kind, text and amount."""
        return {
            "context": self.context,
            "lines": [
                {
                    "line_number": line.line_number,
                    "code": line.code,
                    "status": line.status,
                    "expected_allowed": line.expected_allowed,
                    "steps": _step_views(line.steps),
                }
                for line in self.lines
            ],
            "cases": [
                {
                    "term": case.term,
                    "expected_allowed": case.expected_allowed,
                    "steps": _step_views(case.steps),
                }
                for case in self.cases
            ],
        }


def _decoded(steps: list[list[Any]]) -> tuple[Step, ...]:
    return tuple(
        Step(StepKind(kind), template, tuple(_arg(a) for a in args), None if amount is None else _arg(amount))
        for kind, template, args, amount in steps
    )


def _step_views(steps: tuple[Step, ...]) -> list[dict[str, Any]]:
    return [{"kind": step.kind.value, "text": step_text(step), "amount": step.amount} for step in steps]


def read(explanation: str | None, explanation_steps: str | None) -> tuple[str | None, dict[str, Any] | None]:
    """A stored claim's explanation text and its steps as data, decoded once (no steps as data for
    a claim priced before they were stored: its text as stored then)."""
    if explanation_steps is None:
        return explanation, None
    stored = StoredExplanation.decode(explanation_steps)
    return stored.text(), stored.view()


def read_text(explanation: str | None, explanation_steps: str | None) -> str | None:
    """A stored claim's explanation text: rendered from its steps, or the text stored before them."""
    if explanation_steps is None:
        return explanation
    return StoredExplanation.decode(explanation_steps).text()
