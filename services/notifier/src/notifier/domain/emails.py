"""Render notices into emails (text and HTML) from the package's jinja2 templates."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from importlib.resources import files

from jinja2 import Environment, FunctionLoader, StrictUndefined, select_autoescape

from .digests import DigestSection
from .formatting import RecordLinks, humanise, long_date
from .notices import Notice, Payload
from .presenters import present

MAX_SUBJECT_LENGTH = 150

# Digest sections, most pressing first; other event types follow in name order.
DIGEST_HEADINGS = {
    "obligation.overdue": "Overdue",
    "obligation.due_soon": "Coming up",
    "claim.variance_detected": "Payment variances",
    "obligation.created": "New deadlines",
    "notification.failed": "Notifications that could not be delivered",
    "notification.endpoint_disabled": "Webhooks switched off",
    "contract.terminated": "Contracts ended",
    "contract.amended": "Contracts amended",
    "contract.renewed": "Contracts renewed",
    "contract.activated": "Contracts now active",
    "contract.created": "New contracts",
}


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class DigestLine:
    notice: Notice
    also_for: str  # the other subscriptions that matched the event, or ""


@dataclass(frozen=True)
class DigestGroup:
    event_type: str
    heading: str
    lines: tuple[DigestLine, ...]


@dataclass(frozen=True)
class DigestPart:
    """One subscription name's part of a digest, grouped by kind, most pressing first."""

    subscription_name: str
    groups: tuple[DigestGroup, ...]


def _template_source(name: str) -> str | None:
    resource = files("notifier.domain").joinpath("templates").joinpath(name)
    return resource.read_text(encoding="utf-8") if resource.is_file() else None


_TEMPLATES = Environment(
    loader=FunctionLoader(_template_source),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
    undefined=StrictUndefined,  # a template naming a fact nobody provides fails in tests
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


def render_email(event_type: str, data: Payload, links: RecordLinks) -> RenderedEmail:
    """The email about one event, for any event type (unknown ones get the generic template)."""
    return render_notice(present(event_type, data, links), links)


def render_notice(notice: Notice, links: RecordLinks) -> RenderedEmail:
    subject = _one_line(notice.subject)
    return _render(notice.template, subject, notice.context, links)


def render_digest(sections: Iterable[DigestSection], links: RecordLinks, digest_date: date) -> RenderedEmail:
    """One recipient's mail for a day: a part per subscription (digests.merge_digest), each by kind."""
    parts = tuple(
        DigestPart(
            section.subscription_name,
            digest_groups(
                DigestLine(present(item.event_type, item.data, links), ", ".join(item.also_for))
                for item in section.items
            ),
        )
        for section in sections
    )
    everything = digest_groups(line for part in parts for group in part.groups for line in group.lines)
    if not everything:
        raise ValueError("a digest needs at least one event")
    overview = ", ".join(f"{group.heading.lower()} ({len(group.lines)})" for group in everything)
    day = long_date(digest_date.isoformat())
    subject = _one_line(f"Accord daily digest for {day}: {overview}")
    context = {"sections": parts, "overview": overview, "digest_date": day}
    return _render("digest", subject, context, links)


def digest_groups(lines: Iterable[DigestLine]) -> tuple[DigestGroup, ...]:
    by_type: dict[str, list[DigestLine]] = {}
    for line in lines:
        by_type.setdefault(line.notice.event_type, []).append(line)
    known = [event_type for event_type in DIGEST_HEADINGS if event_type in by_type]
    others = sorted(event_type for event_type in by_type if event_type not in DIGEST_HEADINGS)
    return tuple(
        DigestGroup(event_type, _heading(event_type), tuple(by_type[event_type]))
        for event_type in (*known, *others)
    )


def _heading(event_type: str) -> str:
    return DIGEST_HEADINGS.get(event_type) or humanise(event_type).capitalize()


def _render(template: str, subject: str, context: Mapping[str, object], links: RecordLinks) -> RenderedEmail:
    values = {**context, "subject": subject, "home": links.home}
    text = _TEMPLATES.get_template(f"{template}.txt").render(values)
    html = _TEMPLATES.get_template(f"{template}.html").render(values)
    return RenderedEmail(subject=subject, text=text, html=html)


def _one_line(subject: str) -> str:
    """A subject cannot carry line breaks (header injection) and should fit an inbox line."""
    flat = " ".join(subject.split())
    return flat if len(flat) <= MAX_SUBJECT_LENGTH else flat[: MAX_SUBJECT_LENGTH - 1] + "\u2026"
