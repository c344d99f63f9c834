"""A priced claim's explanation stored as its steps (compact JSON) and rendered to text on read.

Pricing stores `encode(priced, context)` in `claims.explanation_steps`; a read renders the text
(`StoredExplanation.text`, character for character `PricedClaim.explain()` after the contract and
location context) or the steps as data (`StoredExplanation.view`) only for the claims it returns.
Claims priced before the column existed keep their text in `claims.explanation` (`read_text`
takes either).

Encoding, version 1 (lists, not objects: a claim has ~17 steps and keys would double the size):

    {"v": 1, "x": context or null,
     "h": [patient control number, contract, priced as of (ISO date), charges, expected allowed],
     "l": [[line number, code, status, expected allowed, [step, ...]], ...],
     "k": [[term, expected allowed, [step, ...]], ...]}        (claim-level cases)
    step: [kind, template, [arg, ...]] or [kind, template, [arg, ...], amount]

Amounts are Decimal text ("5.480" stays "5.480"). Arguments keep their type so a template's format
specs work on read: str, int, bool, float and null as JSON; Decimal ["D", "1.5"], date
["T", "2025-04-01"], a multiple procedure rank list ["R", [[2, "50"], ...]]. A step with an
argument of any other type is stored already rendered (its text as the template, no arguments).
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
_PLAIN = frozenset((str, int, bool, float, type(None)))
_ENCODE: dict[type, Callable[[Any], list[Any]]] = {
    Decimal: lambda value: ["D", str(value)],
    date: lambda value: ["T", value.isoformat()],
    Ranks: lambda value: ["R", [[rank, str(percent)] for rank, percent in value]],
}
_DECODE: dict[str, Callable[[Any], object]] = {
    "D": Decimal,
    "T": date.fromisoformat,
    "R": lambda ranks: Ranks((rank, Decimal(percent)) for rank, percent in ranks),
}


def encode(priced: PricedClaim, context: str | None) -> str:
    """The claim's explanation as compact JSON (see the module's docstring)."""
    head = [
        priced.patient_control_number,
        priced.contract,
        priced.priced_as_of.isoformat(),
        str(priced.total_charges),
        str(priced.expected_allowed),
    ]
    lines = [
        [line.line_number, line.code, line.status.value, str(line.expected_allowed), _steps(line.steps)]
        for line in priced.lines
    ]
    cases = [[case.term, str(case.expected_allowed), _steps(case.steps)] for case in priced.cases]
    data = {"v": VERSION, "x": context, "h": head, "l": lines, "k": cases}
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def _steps(steps: tuple[Step, ...]) -> list[list[Any]]:
    return [_step(step) for step in steps]


def _step(step: Step) -> list[Any]:
    try:
        args = [a if type(a) in _PLAIN else _ENCODE[type(a)](a) for a in step.args]
        template = step.template
    except KeyError:  # an argument of a type the encoding does not know: keep its text
        args, template = [], step.text
    if step.amount is None:
        return [step.kind.value, template, args]
    return [step.kind.value, template, args, str(step.amount)]


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
    head: tuple[str, str, str, Decimal, Decimal]
    lines: tuple[ExplainedItem, ...]
    cases: tuple[ExplainedItem, ...]

    @classmethod
    def decode(cls, stored: str) -> StoredExplanation:
        data = json.loads(stored)
        if data.get("v") != VERSION:
            raise ValueError(f"explanation encoding version {data.get('v')!r} is not {VERSION}")
        pcn, contract, as_of, charges, allowed = data["h"]
        lines = tuple(
            ExplainedItem(n, code, status, None, Decimal(amount), _decoded(steps))
            for n, code, status, amount, steps in data["l"]
        )
        cases = tuple(
            ExplainedItem(None, None, None, term, Decimal(amount), _decoded(steps))
            for term, amount, steps in data["k"]
        )
        return cls(data["x"], (pcn, contract, as_of, Decimal(charges), Decimal(allowed)), lines, cases)

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
        Step(
            StepKind(step[0]),
            step[1],
            tuple(_DECODE[a[0]](a[1]) if type(a) is list else a for a in step[2]),
            Decimal(step[3]) if len(step) > 3 else None,
        )
        for step in steps
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
