"""The Jinja2 environment: templates under ``web/templates``, filters for labels and units."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from jinja2 import pass_context
from jinja2.runtime import Context
from starlette.requests import Request
from starlette.templating import Jinja2Templates

from weipian.domain import clock
from weipian.domain.clock import BEIJING
from weipian.domain.roles import ROLE_LABELS, Role
from weipian.domain.sources import SOURCE_LABELS, Source
from weipian.domain.townships import township_by_code
from weipian.domain.units import m2_to_mu
from weipian.domain.workflow import ACTION_LABELS, STATE_LABELS, Action, State
from weipian.messages import is_sentence, note_text, period_text, trace_text
from weipian.messages import message as say
from weipian.messages.labels import MINING_STATUS_LABELS
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


def _ymd(v: Any) -> str:
    """One date format everywhere: YYYY-MM-DD (packages deliver 后时相 as 20220901)."""
    if v is None or v == "":
        return ""
    if isinstance(v, dt.datetime):
        return _local(v)[:10]
    if isinstance(v, dt.date):
        return v.isoformat()
    text = str(v).strip()
    if len(text) == 8 and text.isdigit():
        return f"{text[:4]}-{text[4:6]}-{text[6:]}"
    return text


AREA_METHODS = {"ellipsoidal": "椭球面积", "gauss_kruger": "高斯投影面积"}


def _area_method(v: Any) -> str:
    """``ellipsoidal:CGCS2000`` → 椭球面积（CGCS2000）; ``gauss_kruger:EPSG:4527`` → 高斯投影面积（EPSG:4527）."""
    if not v:
        return ""
    method, _, crs = str(v).partition(":")
    name = AREA_METHODS.get(method)
    return f"{name}（{crs}）" if name and crs else (name or str(v))


def _rules_name(version: Any) -> str:
    """A rule set's version in words: ``default-2025.1`` → 默认规则字典 2025.1 版; a bureau's own
    file on top (``default-2025.1+nanan-2026``) is named after it."""
    parts = str(version or "").split("+")
    words = []
    for part in parts:
        if part.startswith("default-"):
            words.append(f"默认规则字典 {part.removeprefix('default-')} 版")
        elif part:
            words.append(f"本局规则 {part}")
    return " + ".join(words)


@pass_context
def _change_type(ctx: Context, code: Any) -> str:
    """图斑类型 code (TBLX) → its name from the rule data in force (unknown codes as they are)."""
    if code is None or code == "":
        return ""
    request = ctx.get("request")
    rules = getattr(getattr(request, "app", None), "state", None)
    rules = getattr(rules, "rules", None)
    if rules is None:
        return str(code)
    known = rules.tables(clock.today()).change_types.get(str(code))
    return str(known.name) if known is not None else str(code)


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
    settings = getattr(request.app.state, "settings", None)
    return {
        "clock_fixed": getattr(settings, "now", None),  # WEIPIAN_NOW: the banner
        "can_review": bool(user and user.actor.may(Action.review_pass, None)),
        "csrf_token": csrf_token(request) if has_session else "",
        "user": user,
        # An upload sent by script follows the redirect itself; the page it loads next shows the notice.
        "notice": pop_flash(request) if has_session and not request.headers.get("X-Keep-Flash") else None,
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
    ymd=_ymd,
    area_method=_area_method,
    rules_name=_rules_name,
    change_type=_change_type,
    trace_text=trace_text,
)
env.globals["say"] = say
# An event's summary: a code with parameters worded now, or the text stored before codes.
env.globals["sentence"] = lambda v: say(v["code"], **dict(v.get("params") or {})) if is_sentence(v) else v
env.globals["period_text"] = period_text  # a statistic's period (stats Period.label codes)
env.filters["note_text"] = note_text  # an attachment's note: a code (ledger uploads) or text
env.globals["state_labels"] = dict(STATE_LABELS)
env.globals["mining_status_labels"] = MINING_STATUS_LABELS
