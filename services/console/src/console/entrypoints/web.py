"""What every page shares: the signed-in session, CSRF checks, rendering, errors as pages."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from console.adapters.accord_api import AccordApi, ApiRefused
from console.adapters.session_cookie import COOKIE_NAME, SessionSealer
from console.config import ConsoleSettings
from console.domain.figures import dollars, percent
from console.domain.permissions import Scope, may
from console.domain.projects import cause_label
from console.domain.session import StaffSession

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent.parent / "templates"))
TEMPLATES.env.filters["dollars"] = dollars
TEMPLATES.env.filters["percent"] = percent
TEMPLATES.env.filters["cause"] = cause_label
TEMPLATES.env.filters["plain"] = lambda value: (
    "not set" if value is None else ("yes" if value else "no") if isinstance(value, bool) else value
)


class SignInRequired(Exception):
    """No valid session: the person is sent to the sign-in page, then back."""


class CsrfRefused(Exception):
    """A form posted without the session's CSRF token."""


def settings_of(request: Request) -> ConsoleSettings:
    settings: ConsoleSettings = request.app.state.settings
    return settings


def api_of(request: Request) -> AccordApi:
    api: AccordApi = request.app.state.api
    return api


def sealer_of(request: Request) -> SessionSealer:
    sealer: SessionSealer = request.app.state.sealer
    return sealer


def current_session(request: Request) -> StaffSession:
    session = sealer_of(request).open(request.cookies.get(COOKIE_NAME), datetime.now(UTC))
    if session is None:
        raise SignInRequired()
    return session


Signed = Annotated[StaffSession, Depends(current_session)]
Api = Annotated[AccordApi, Depends(api_of)]
Settings = Annotated[ConsoleSettings, Depends(settings_of)]


def check_csrf(session: StaffSession, presented: str | None) -> None:
    if not session.csrf_matches(presented):
        raise CsrfRefused()


def render(
    request: Request, template: str, session: StaffSession | None, status_code: int = 200, **context: Any
) -> HTMLResponse:
    scopes = session.scopes if session else frozenset()
    context |= {
        "session": session,
        "may": lambda scope: may(scopes, Scope(scope)),
        "csrf_token": session.csrf_token if session else "",
    }
    return TEMPLATES.TemplateResponse(request, template, context, status_code=status_code)


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


async def on_sign_in_required(request: Request, exc: Exception) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/sign-in?next={_quote(target)}", status_code=303)


async def on_csrf_refused(request: Request, exc: Exception) -> Response:
    return render(request, "error.html", None, 403, title="Form refused", detail=_CSRF_DETAIL)


async def on_api_refused(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiRefused)
    if exc.status == 401:
        return await on_sign_in_required(request, exc)
    session = sealer_of(request).open(request.cookies.get(COOKIE_NAME))
    if exc.status == 404:
        return render(request, "error.html", session, 404, title="Not found", detail=_NOT_FOUND)
    status = exc.status if exc.status < 500 else 502
    return render(request, "error.html", session, status, title="Refused", detail=exc.detail)


_CSRF_DETAIL = "This form was sent without its security token. Reload the page and send it again."
_NOT_FOUND = "There is no such record in your organisation."


def _quote(path: str) -> str:
    from urllib.parse import quote

    return quote(path, safe="/")


def safe_next(target: str | None) -> str:
    """Only a path on this console (never //host or a scheme): no open redirect after sign-in."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target
