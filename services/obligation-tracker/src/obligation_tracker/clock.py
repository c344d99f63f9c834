"""The tracker's notion of now, injectable so tests can move time."""

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """The current instant (aware, UTC)."""
    return datetime.now(UTC)
