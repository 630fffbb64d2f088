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


def log_in(request: Request, account: Account) -> None:
    """Start a fresh session for ``account`` (a new token, nothing carried over)."""
    request.session.clear()
    request.session[USER] = account.id
    request.session[CSRF] = secrets.token_urlsafe(32)
    request.session["since"] = int(time.time())


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
