"""Sessions and CSRF: who is signed in, the per-session token, one-shot notices.

The session is Starlette's signed cookie (SameSite=Lax). Every form carries the session's
token in a hidden ``csrf_token`` input and HTMX sends it as ``X-CSRF-Token``; routes that
answer HTMX fragments also require the ``HX-Request`` header, which other sites cannot set.
"""

from __future__ import annotations

import secrets
import time
from typing import Any

from starlette.requests import Request

from weipian.errors import PermissionDenied
from weipian.messages import message as say
from weipian.services.users import Account

USER, CSRF, FLASH = "uid", "csrf", "flash"


def csrf_token(request: Request) -> str:
    """The session's CSRF token, made on first use."""
    token = request.session.get(CSRF)
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        request.session[CSRF] = token
    return token


def check_csrf(request: Request, supplied: str | None) -> None:
    """Refuse a state-changing request whose token does not match the session's."""
    expected = request.session.get(CSRF)
    if not isinstance(expected, str) or not supplied or not secrets.compare_digest(expected, supplied):
        raise PermissionDenied("csrf.invalid")


def is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


VERSION, SINCE, SEEN = "sv", "since", "seen"


def _clock() -> int:
    return int(time.time())


def log_in(request: Request, account: Account) -> None:
    """Start a fresh session for ``account`` (a new token, nothing carried over)."""
    request.session.clear()
    now = _clock()
    request.session[USER] = account.id
    request.session[VERSION] = account.session_version
    request.session[CSRF] = secrets.token_urlsafe(32)
    request.session[SINCE] = now
    request.session[SEEN] = now


def session_valid(request: Request, account: Account, *, max_age: int, idle: int) -> bool:
    """The session belongs to the account's current session version and has timed out neither
    absolutely (``max_age`` seconds since sign-in) nor for idleness (``idle`` seconds); marks
    it seen (at most once a minute, so the cookie is not rewritten on every request)."""
    data = request.session
    now = _clock()
    since, seen = data.get(SINCE), data.get(SEEN)
    if (
        data.get(VERSION) != account.session_version
        or not isinstance(since, int)
        or not isinstance(seen, int)
    ):
        return False
    if now - since > max_age or now - seen > idle:
        return False
    if now - seen >= 60:
        data[SEEN] = now
    return True


def log_out(request: Request) -> None:
    request.session.clear()


def flash(request: Request, code: str, /, **params: Any) -> None:
    """A notice shown once, on the next page."""
    request.session[FLASH] = {"code": code, "params": params}


def pop_flash(request: Request) -> str | None:
    data = request.session.pop(FLASH, None)
    if not isinstance(data, dict):
        return None
    return say(str(data.get("code")), **dict(data.get("params") or {}))
