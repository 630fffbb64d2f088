"""The Jinja2 environment: templates under ``web/templates``, filters for labels and units."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.templating import Jinja2Templates

from weipian.domain.clock import BEIJING
from weipian.domain.roles import ROLE_LABELS, Role
from weipian.domain.sources import SOURCE_LABELS, Source
from weipian.domain.townships import township_by_code
from weipian.domain.units import m2_to_mu
from weipian.domain.workflow import ACTION_LABELS, STATE_LABELS, Action, State
from weipian.messages import message as say
from weipian.storage.users import display_names
from weipian.web.auth import csrf_token, pop_flash

TEMPLATES = Path(__file__).parent / "templates"


def _m2(v: Any) -> str:
    return "" if v is None else f"{float(v):,.2f}"


def _mu(v: Any) -> str:
    return "" if v is None else f"{m2_to_mu(float(v)):,.2f}"


def _pct(v: Any, share: bool = True) -> str:
    """A share 0–1 (or, with ``share=False``, a value already in %) as a percentage."""
    return "" if v is None else f"{float(v) * (100 if share else 1):.1f}%"


def _local(v: Any) -> str:
    """A stored timestamp (UTC; SQLite returns it naive) in Beijing time."""
    if v is None:
        return ""
    if isinstance(v, str):
        v = dt.datetime.fromisoformat(v)
    if isinstance(v, dt.datetime):
        if v.tzinfo is None:
            v = v.replace(tzinfo=dt.UTC)
        return str(v.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M"))
    return str(v)


def _label(table: dict[Any, str], kind: type[Any]) -> Any:
    def get(v: Any) -> str:
        try:
            return table[kind(v)]
        except (ValueError, KeyError):
            return "" if v is None else str(v)

    return get


def _township_name(code: str | None) -> str:
    town = township_by_code(code) if code else None
    return town.name if town else (code or "")


def _person(request: Request) -> Callable[[str | None], str]:
    """``person(username)`` → the account's display name (looked up once per name and page)."""
    names: dict[str, str] = {}

    def person(username: str | None) -> str:
        if not username:
            return ""
        if username not in names:
            store = getattr(request.app.state, "store", None)
            if store is not None:
                with store.reading() as session:
                    names.update(display_names(session, {username}))
            names.setdefault(username, username)  # not an account (e.g. a CLI --by name)
        return names[username]

    return person


def _context(request: Request) -> dict[str, Any]:
    has_session = "session" in request.scope
    user = getattr(request.state, "user", None)
    return {
        "can_review": bool(user and user.actor.may(Action.review_pass, None)),
        "csrf_token": csrf_token(request) if has_session else "",
        "user": user,
        "notice": pop_flash(request) if has_session else None,
        "path": request.url.path,
        "person": _person(request),
    }


templates = Jinja2Templates(directory=TEMPLATES, context_processors=[_context])
env = templates.env
env.filters.update(
    m2=_m2,
    mu=_mu,
    pct=_pct,
    local=_local,
    state_label=_label(STATE_LABELS, State),  # type: ignore[arg-type]
    action_label=_label(ACTION_LABELS, Action),  # type: ignore[arg-type]
    source_label=_label(SOURCE_LABELS, Source),  # type: ignore[arg-type]
    role_label=_label(ROLE_LABELS, Role),  # type: ignore[arg-type]
    township_name=_township_name,
)
env.globals["say"] = say
env.globals["state_labels"] = {s.value: label for s, label in STATE_LABELS.items()}
