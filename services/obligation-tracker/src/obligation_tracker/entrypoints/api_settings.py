"""Organisation calendar settings and iCalendar feeds (the feed URL's token is its credential)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Annotated, Any

from accord_common.auth import Principal
from accord_common.errors import NotFound
from accord_common.web.deps import Requires, Runtime
from fastapi import APIRouter, Path, Response, status

from obligation_tracker.adapters.repository import aware
from obligation_tracker.adapters.settings_repository import CalendarFeedRepository, OrgSettingsRepository
from obligation_tracker.domain import ObligationStatus, build_ical_feed
from obligation_tracker.entrypoints.deps import CurrentTracker
from obligation_tracker.entrypoints.schemas import FeedCreatedOut, FeedIn, FeedOut, SettingsIn, SettingsOut
from obligation_tracker.handlers import settings as handlers
from obligation_tracker.handlers.context import OrgCalendar

settings_router = APIRouter(prefix="/v1", tags=["settings"])
feed_router = APIRouter(prefix="/v1", tags=["calendar feeds"])
FEED_LOOKBACK_DAYS = 90
VISIBLE_IN_FEED = {ObligationStatus.OPEN, ObligationStatus.CANCELLED}
FeedId = Annotated[str, Path(description="The feed's id, as listed by GET /v1/calendar-feeds.")]
FeedToken = Annotated[
    str, Path(description="The secret token from the feed's URL (shown once, when the feed was created).")
]


@settings_router.get("/settings", response_model=SettingsOut, summary="Get calendar settings")
async def get_settings(
    who: Annotated[Principal, Requires("obligations:read")], rt: Runtime, tracker: CurrentTracker
) -> Any:
    """The organisation's time zone, holiday calendar and reminder lead times.

    Until the organisation saves its own, the service defaults are shown with `is_default` true.
    Needs the `obligations:read` scope.
    """
    async with rt.sessions() as session:
        saved = await OrgSettingsRepository(session, who.organization_id).get()
        calendar = await tracker.calendar(session, who.organization_id)
    return _settings_view(calendar, is_default=saved is None)


@settings_router.put("/settings", response_model=SettingsOut, summary="Update calendar settings")
async def put_settings(
    body: SettingsIn,
    who: Annotated[Principal, Requires("obligations:write")],
    rt: Runtime,
    tracker: CurrentTracker,
) -> Any:
    """Replace the calendar rules; new deadlines and reminders follow them.

    Business days skip weekends and the public holidays of `holiday_country` (and its subdivision);
    `lead_days` are the days before a deadline on which to send a reminder.
    Needs the `obligations:write` scope.
    """
    calendar = OrgCalendar(
        body.time_zone, body.holiday_country, body.holiday_subdivision, tuple(body.lead_days)
    )
    await handlers.update_calendar(rt.uow(), tracker, who, calendar)
    return _settings_view(calendar, is_default=False)


def _settings_view(calendar: OrgCalendar, *, is_default: bool) -> dict[str, Any]:
    return {
        "time_zone": calendar.time_zone,
        "holiday_country": calendar.holiday_country,
        "holiday_subdivision": calendar.holiday_subdivision,
        "lead_days": list(calendar.lead_days),
        "is_default": is_default,
    }


@feed_router.post(
    "/calendar-feeds",
    status_code=status.HTTP_201_CREATED,
    response_model=FeedCreatedOut,
    summary="Create an iCalendar feed",
)
async def create_feed(
    body: FeedIn,
    who: Annotated[Principal, Requires("obligations:write")],
    rt: Runtime,
    tracker: CurrentTracker,
) -> Any:
    """A new subscription URL for calendar apps (Outlook, Google, Apple).

    The URL embeds a secret token and is shown in this response only (only a hash is kept): whoever
    has it can read the feed. Needs the `obligations:write` scope.
    """
    row, token = await handlers.create_feed(rt.uow(), tracker, who, body.name, body.include_settled)
    url = f"{rt.settings.public_base_url.rstrip('/')}/v1/calendar/{token}.ics"
    return row | {"url": url}


@feed_router.get("/calendar-feeds", response_model=list[FeedOut], summary="List iCalendar feeds")
async def list_feeds(who: Annotated[Principal, Requires("obligations:read")], rt: Runtime) -> Any:
    """The organisation's feeds, revoked ones included (never their URLs).

    Needs the `obligations:read` scope.
    """
    async with rt.sessions() as session:
        return [r._asdict() for r in await CalendarFeedRepository(session).list(who.organization_id)]


@feed_router.delete(
    "/calendar-feeds/{feed_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Revoke an iCalendar feed"
)
async def revoke_feed(
    feed_id: FeedId,
    who: Annotated[Principal, Requires("obligations:write")],
    rt: Runtime,
    tracker: CurrentTracker,
) -> Response:
    """Revoke a feed: its URL answers 404 from now on.

    Needs the `obligations:write` scope.
    """
    await handlers.revoke_feed(rt.uow(), tracker, who, feed_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@feed_router.get(
    "/calendar/{token}.ics",
    summary="iCalendar feed (the token is the credential)",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {}}}},
)
async def calendar_feed(token: FeedToken, rt: Runtime, tracker: CurrentTracker) -> Response:
    """The organisation's deadlines as RFC 5545 events, for Outlook, Google or Apple calendars.

    No API key: the token in the URL is the credential (an unknown or revoked one answers 404).
    Lists open and cancelled obligations due from 90 days ago on (settled ones too when the feed
    was created with `include_settled`).
    """
    async with rt.sessions() as session:
        feed = await CalendarFeedRepository(session).by_token_hash(handlers.hash_token(token))
        if feed is None:
            raise NotFound("unknown or revoked calendar feed")
        calendar = await tracker.calendar(session, feed.organization_id)
        now = tracker.now()
        since = calendar.schedule.local_date(now) - timedelta(days=FEED_LOOKBACK_DAYS)
        stored = await (await tracker.obligations(session, feed.organization_id)).feed(since)
    listed = [s.obligation for s in stored if feed.include_settled or s.obligation.status in VISIBLE_IN_FEED]
    # CPU-bound (2+ s at 6,000 obligations): built in a worker thread so other requests go on
    body = await asyncio.to_thread(build_ical_feed, listed, f"Accord deadlines: {feed.name}", aware(now))
    return Response(body, media_type="text/calendar; charset=utf-8")
