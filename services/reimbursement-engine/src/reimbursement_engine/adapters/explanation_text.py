"""A priced claim's explanation as text: the same text as `PricedClaim.explain()`, faster.

Claims store their steps (`adapters.explanation_store`) and a read renders them here (about 16
steps of text a claim). Two devices make that cheap and live here, not in the pure domain:
- each step template is compiled once to an f-string function (`str.format` parses the template on
  every call; the compiled form takes half the time). Only plain positional fields with brace-free
  format specs are compiled; literal text enters the source as a repr() string literal, never as
  code; anything else keeps `str.format`;
- money amounts remember their text by value (the text depends only on the value: 5.48 and 5.480
  give the same "$5.48"), since a batch repeats the same rates and totals many times.
Both are bounded. `tests/unit/pricing/test_explanation_text.py` holds the text equal to the domain's.
"""

from __future__ import annotations

import string
from collections.abc import Callable
from decimal import Decimal

from reimbursement_engine.domain.pricing import PricedClaim
from reimbursement_engine.domain.pricing.explanation import Step
from reimbursement_engine.domain.pricing.money import fmt_money

_Format = Callable[[tuple[object, ...]], str]
_LIMIT = 20_000
_FORMATTERS: dict[str, _Format] = {}
_MONEY_TEXT: dict[Decimal, str] = {}


def explain(priced: PricedClaim) -> str:
    """`priced.explain()`, character for character."""
    out = [
        f"Claim {priced.patient_control_number}, {priced.contract}, priced {priced.priced_as_of}: "
        f"charges {money(priced.total_charges)}, "
        f"expected allowed {money(priced.expected_allowed)}"
    ]
    for line in priced.lines:
        out.append(
            f"  line {line.line_number} {line.code} [" + line.status + "] " + money(line.expected_allowed)
        )
        out.extend(["    " + render_step(step) for step in line.steps])
    for case in priced.cases:
        out.append(f"  claim-level {case.term} {money(case.expected_allowed)}")
        out.extend(["    " + render_step(step) for step in case.steps])
    return "\n".join(out)


def step_text(step: Step) -> str:
    """`step.text`: the template formatted with its arguments."""
    return _formatter(step.template)(step.args) if step.args else step.template


def render_step(step: Step) -> str:
    """`str(step)`: kind, text and amount."""
    # StepKind members are str: concatenation skips Enum's Python-level `.value` and __format__
    text = _formatter(step.template)(step.args) if step.args else step.template
    if step.amount is None:
        return step.kind + ": " + text
    return step.kind + ": " + text + " = " + money(step.amount)


def money(amount: Decimal) -> str:
    """`fmt_money(amount)`, remembered by value."""
    text = _MONEY_TEXT.get(amount)
    if text is None:
        text = fmt_money(amount)
        if len(_MONEY_TEXT) >= _LIMIT:
            _MONEY_TEXT.clear()
        _MONEY_TEXT[amount] = text
    return text


def _formatter(template: str) -> _Format:
    formatter = _FORMATTERS.get(template)
    if formatter is None:
        formatter = _compile(template)
        if len(_FORMATTERS) < _LIMIT:
            _FORMATTERS[template] = formatter
    return formatter


def _compile(template: str) -> _Format:
    fallback: _Format = lambda args: template.format(*args)  # noqa: E731
    parts = []
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError:
        return fallback
    for literal, field, spec, conversion in parsed:
        parts.append(literal.replace("{", "{{").replace("}", "}}"))
        if field is None:
            continue
        if (
            not field.isdigit()
            or (spec and ("{" in spec or "}" in spec))
            or conversion not in (None, "r", "s", "a")
        ):
            return fallback
        parts.append(
            "{a["
            + field
            + "]"
            + (f"!{conversion}" if conversion else "")
            + (f":{spec}" if spec else "")
            + "}"
        )
    compiled: _Format = eval("lambda a: f" + repr("".join(parts)))  # noqa: S307
    return compiled
