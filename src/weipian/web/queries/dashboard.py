"""Dashboard figures within a scope: counts by state and class, overdue, due soon, 月清."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from weipian.domain.workflow import State
from weipian.services.lists import closure
from weipian.stats.deadlines import MonthlyClosure
from weipian.storage.tables import patches, suggestions, townships
from weipian.storage.workflow import latest_determinations
from weipian.web.access import Scope
from weipian.web.queries.deadlines import due_between, effective_due, overdue, return_deadlines
from weipian.web.queries.patches import list_query
from weipian.web.queries.referrals import overdue_count
from weipian.web.queries.scope import visible

DUE_SOON_DAYS = 7


@dataclass(frozen=True)
class Dashboard:
    total: int
    by_state: list[tuple[str, int]]  # state code, count; every state, in workflow order
    by_suggestion: list[tuple[str, int]]  # YPJG label (or None: not judged), count
    by_determination: list[tuple[str, int]]  # PDJG label (or None: none yet), count
    overdue: int
    due_soon: list[dict[str, Any]]
    closure: list[MonthlyClosure]
    overdue_referrals: int = 0  # 抄告/移交 past their feedback day, within the scope


def _grouped(session: Session, column: Any, query: Any) -> list[tuple[Any, int]]:
    q = query.with_only_columns(column, func.count()).group_by(column).order_by(func.count().desc())
    return [(r[0], int(r[1])) for r in session.execute(q)]


def dashboard(session: Session, scope: Scope, today: dt.date) -> Dashboard:
    """The figures of the home page for what ``scope`` may see."""
    base = visible(select(patches.c.id).select_from(patches), scope)
    total = int(session.scalar(select(func.count()).select_from(base.subquery())) or 0)
    states = dict(_grouped(session, patches.c.state, base))
    with_suggestion = base.outerjoin(suggestions, suggestions.c.patch_id == patches.c.id)
    det = latest_determinations()
    with_det = base.outerjoin(det, det.c.patch_id == patches.c.id)
    returns = return_deadlines(session)
    n_overdue = session.scalar(
        select(func.count()).select_from(base.where(overdue(returns, today)).subquery())
    )
    soon = visible(list_query(), scope).where(
        due_between(returns, today, today + dt.timedelta(days=DUE_SOON_DAYS))
    )
    due_soon = [
        {**r._asdict(), "due": effective_due(r, returns)}
        for r in session.execute(soon.order_by(patches.c.due_on, patches.c.patch_code).limit(100))
    ]
    due_soon.sort(key=lambda r: (r["due"], r["patch_code"]))
    return Dashboard(
        total=total,
        by_state=[(s.value, states.get(s.value, 0)) for s in State],
        by_suggestion=_grouped(session, suggestions.c.verdict, with_suggestion),
        by_determination=_grouped(session, det.c.verdict, with_det),
        overdue=int(n_overdue or 0),
        due_soon=due_soon[:20],
        closure=_closure(session, scope),
        overdue_referrals=overdue_count(session, scope, today),
    )


def _closure(session: Session, scope: Scope) -> list[MonthlyClosure]:
    """月清 per township and month (the lists service's figures), a township user's own only,
    none for a department."""
    if scope.nothing or scope.department is not None:  # 月清 is the townships' and the bureau's
        return []
    rows = closure(session)
    if scope.township is not None:
        name = session.scalar(select(townships.c.name).where(townships.c.code == scope.township))
        rows = [m for m in rows if m.township == name]
    # The newest month first; in a month, the townships furthest behind first.
    rows = sorted(rows, key=lambda m: (m.rate, m.township))
    return sorted(rows, key=lambda m: m.month, reverse=True)[:60]
