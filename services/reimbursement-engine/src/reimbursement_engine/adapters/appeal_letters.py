"""Appeal letters: an organisation's Jinja2 template (or the default) rendered to HTML in a sandbox,
and the same HTML laid out as a PDF with fpdf2 (pure Python: no system libraries to install).

A template is validated before it is kept: it must parse, render the sample packet in the sandbox
(no attribute access to internals, no I/O) and lay out as a PDF.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from decimal import Decimal
from importlib.resources import files
from typing import Any

from fpdf import FPDF
from jinja2 import StrictUndefined, TemplateError
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from reimbursement_engine.domain.appeals import (
    AdjustmentCited,
    ClaimCited,
    ContractCited,
    LineCited,
    Packet,
    build_packet,
)

MAX_TEMPLATE_CHARS = 100_000


class TemplateRefused(ValueError):
    """The template does not parse, render or lay out; the message says where."""


def default_template() -> str:
    return files("reimbursement_engine.adapters").joinpath("appeal_letter.html.j2").read_text("utf-8")


def _money(value: Decimal) -> str:
    return f"${value:,.2f}"


def _day(value: date | None) -> str:
    return value.strftime("%B %-d, %Y") if value else "not stated"


def _environment() -> ImmutableSandboxedEnvironment:
    env = ImmutableSandboxedEnvironment(autoescape=True, undefined=StrictUndefined)
    env.filters["money"] = _money
    env.filters["day"] = _day
    return env


def context(packet: Packet, organization: str, today: date, reference: str) -> dict[str, Any]:
    return {**asdict(packet), "organization": organization, "today": today, "reference": reference}


def render_html(source: str, values: dict[str, Any]) -> str:
    env = _environment()
    try:
        return env.from_string(source).render(values)
    except SecurityError as exc:
        raise TemplateRefused(f"the template does something the sandbox forbids: {exc}")
    except TemplateError as exc:
        line = getattr(exc, "lineno", None)
        raise TemplateRefused(f"the template fails{f' at line {line}' if line else ''}: {exc}")


def render_pdf(html: str) -> bytes:
    """The HTML laid out on US Letter pages (core Helvetica: text outside Latin-1 becomes '?')."""
    pdf = FPDF(format="letter")
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.add_page()
    pdf.set_font("Helvetica", size=10)
    safe = html.encode("latin-1", errors="replace").decode("latin-1")
    try:
        pdf.write_html(safe)
    except Exception as exc:  # fpdf2 raises plain exceptions for HTML it cannot lay out
        raise TemplateRefused(f"the letter cannot be laid out as a PDF: {exc}")
    return bytes(pdf.output())


def validate_template(source: str) -> None:
    """Refuse a template that is too long, does not render the sample packet, or cannot be laid out."""
    if len(source) > MAX_TEMPLATE_CHARS:
        raise TemplateRefused(f"the template is longer than {MAX_TEMPLATE_CHARS} characters")
    render_pdf(render_html(source, context(sample_packet(), "Sample Clinic", date(2026, 4, 15), "APL-0")))


def sample_packet() -> Packet:
    """A one-claim packet every template must render (and the docs show)."""
    contract = ContractCited("c-1", "Acme PPO professional", 2, date(2026, 1, 1), date(2027, 12, 31), 180)
    line = LineCited(
        1,
        "99213",
        "",
        Decimal(1),
        Decimal("150.00"),
        "Professional",
        Decimal("100.00"),
        Decimal("80.00"),
        (AdjustmentCited("CO", "45", Decimal("70.00")),),
        ("N130",),
    )
    claim = ClaimCited(
        "v-1",
        "claim-1",
        "SAMPLE-1",
        "PAYER-1",
        date(2026, 3, 10),
        date(2026, 4, 1),
        "underpaid",
        "open",
        Decimal("100.00"),
        Decimal("80.00"),
        Decimal(0),
        Decimal("20.00"),
        (),
        ("line 1 CPT 99213: fee schedule row 99213 $100.00 x 1 = $100.00",),
        (line,),
    )
    return build_packet("60054", "Acme Health Plan", contract, [claim])
