"""FastAPI dependencies of the tracker's routes (besides those of accord_common.web.deps)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from obligation_tracker.handlers.context import Tracker


def get_tracker(request: Request) -> Tracker:
    tracker: Tracker = request.app.state.tracker
    return tracker


CurrentTracker = Annotated[Tracker, Depends(get_tracker)]
