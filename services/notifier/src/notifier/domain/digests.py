"""When a daily digest goes out: once a day at a fixed hour (UTC), collecting what came before."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def next_digest_at(now: datetime, hour_utc: int) -> datetime:
    """The first digest time strictly after `now`: today at `hour_utc`:00 UTC, else tomorrow."""
    if not 0 <= hour_utc <= 23:
        raise ValueError("the digest hour must lie in 0-23")
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    utc_now = now.astimezone(UTC)
    today = utc_now.replace(hour=hour_utc, minute=0, second=0, microsecond=0)
    return today if today > utc_now else today + timedelta(days=1)
