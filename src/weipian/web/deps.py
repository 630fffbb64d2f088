"""Dependencies of the routes, as ``Annotated`` aliases: the store, rules, settings, the user.

``CurrentUser`` loads the signed-in, active account (or sends the browser to the login page);
``CheckCsrf`` and ``CheckHtmx`` guard state-changing requests.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import Depends, Request

from weipian.domain import clock
from weipian.domain.sources import Source
from weipian.domain.workflow import TO_VERIFY, State
from weipian.errors import PermissionDenied
from weipian.rules import RuleSet
from weipian.services.access import Scope, scope_of
from weipian.services.queries.patches import PatchFilter
from weipian.services.users import Account, get_account
from weipian.storage.store import Store
from weipian.web.auth import USER, check_csrf, is_htmx, log_out, session_valid
from weipian.web.errors import LoginRequired
from weipian.web.settings import WebSettings


def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def _rules(request: Request) -> RuleSet:
    rules: RuleSet = request.app.state.rules
    return rules


def _settings(request: Request) -> WebSettings:
    settings: WebSettings = request.app.state.settings
    return settings


def _today() -> dt.date:
    return clock.today()


StoreDep = Annotated[Store, Depends(_store)]
RulesDep = Annotated[RuleSet, Depends(_rules)]
SettingsDep = Annotated[WebSettings, Depends(_settings)]
Today = Annotated[dt.date, Depends(_today)]


def _current_user(request: Request, store: StoreDep) -> Account:
    user_id = request.session.get(USER)
    if not isinstance(user_id, int):
        raise LoginRequired
    with store.reading() as session:
        account = get_account(session, user_id)
    settings: WebSettings = request.app.state.settings
    if account is None or not session_valid(  # deactivated, logged out elsewhere, timed out
        request, account, max_age=settings.session_hours * 3600, idle=settings.session_idle_minutes * 60
    ):
        log_out(request)
        raise LoginRequired
    request.state.user = account
    return account


CurrentUser = Annotated[Account, Depends(_current_user)]


def current_user_or_none(request: Request) -> Account | None:
    """The signed-in account, or None (for error pages outside any route)."""
    store = getattr(request.app.state, "store", None)
    if store is None:
        return None
    try:
        return _current_user(request, store)
    except LoginRequired:
        return None


def _scope(user: CurrentUser) -> Scope:
    return scope_of(user)


ScopeDep = Annotated[Scope, Depends(_scope)]


async def _check_csrf(request: Request) -> None:
    supplied = request.headers.get("X-CSRF-Token")
    if not supplied and request.method == "POST":
        form = await request.form()
        value = form.get("csrf_token")
        supplied = value if isinstance(value, str) else None
    check_csrf(request, supplied)


async def _check_htmx(request: Request) -> None:
    if not is_htmx(request):
        raise PermissionDenied("htmx.required")
    await _check_csrf(request)


def _int(v: str | None) -> int | None:
    """A query value as an id-sized integer; anything else (or ≥ 2⁶³) narrows nothing."""
    try:
        n = int(v) if v not in (None, "") and len(v) <= 19 else None  # type: ignore[arg-type]
    except ValueError:
        return None
    return n if n is not None and abs(n) < 2**63 else None


def patch_filter(
    batch: str | None = None,
    source: str | None = None,
    township: str | None = None,
    state: str | None = None,
    suggestion: str | None = None,
    overdue: str | None = None,
    q: str | None = None,
    page: str | None = None,
) -> PatchFilter:
    """The list filter from the query string; unknown or blank values narrow nothing."""
    return PatchFilter(
        batch=_int(batch),
        source=source if source in Source.__members__ else None,
        township=(township or "").strip() or None,
        state=state if state in State.__members__ or state == TO_VERIFY else None,
        suggestion=(suggestion or "").strip() or None,
        overdue=overdue in ("1", "true", "on"),
        q=(q or "").strip()[:64] or None,
        page=max(1, _int(page) or 1),
    )


FilterDep = Annotated[PatchFilter, Depends(patch_filter)]

CheckCsrf = Depends(_check_csrf)  # plain forms: the session's token
CheckHtmx = Depends(_check_htmx)  # HTMX posts: the HX-Request header and the token
