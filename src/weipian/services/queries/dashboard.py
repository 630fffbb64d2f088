"""Dashboard figures within a scope: counts by state and class, overdue, due soon, 月清."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from weipian.domain.workflow import State
from weipian.services.access import Scope
from weipian.services.deadlines import due_between, overdue, return_deadlines
from weipian.services.lists import closure
from weipian.services.queries.patches import PatchRow, current_det, list_query, patch_row
from weipian.services.queries.referrals import overdue_count
from weipian.services.queries.scope import visible
from weipian.stats.deadlines import MonthlyClosure
from weipian.storage.splits import not_split_parent
from weipian.storage.tables import patches, suggestions, townships

DUE_SOON_DAYS = 7


@dataclass(frozen=True, slots=True)
class Dashboard:
    total: int
    by_state: list[tuple[str, int]]  # state code, count; every state, in workflow order
    by_suggestion: list[tuple[str, int]]  # YPJG label (or None: not judged), count
    by_determination: list[tuple[str, int]]  # PDJG label (or None: none yet), count
    overdue: int
    due_soon: list[PatchRow]  # the first 20 by running deadline
    closure: list[MonthlyClosure]
    overdue_referrals: int = 0  # 抄告/移交 past their feedback day, within the scope


def _grouped(session: Session, column: Any, query: Any, total: int) -> list[tuple[Any, int]]:
    """Counts by ``column`` over ``query`` (an inner join to the table that holds it), the patches
    without a row there counted as None; largest first, ties in value order (None first).

    Grouping the joined rows instead of outer-joining every patch reads the small table, not all
    the patches.
    """
    q = query.with_only_columns(column, func.count()).group_by(column)
    counts = [(r[0], int(r[1])) for r in session.execute(q)]
    missing = total - sum(n for _, n in counts)
    if missing:
        counts.append((None, missing))
    counts.sort(key=lambda c: (c[0] is not None, c[0] or ""))
    return sorted(counts, key=lambda c: -c[1])


def dashboard(session: Session, scope: Scope, today: dt.date) -> Dashboard:
    """The figures of the home page for what ``scope`` may see."""
    # A split patch (被拆分) is worked through its parts and its state is derived from theirs:
    # counted once, as its parts, like the review queue.
    every = select(patches.c.id).select_from(patches).where(not_split_parent())
    base = visible(every, scope)
    states = {
        r[0]: int(r[1])
        for r in session.execute(
            base.with_only_columns(patches.c.state, func.count()).group_by(patches.c.state)
        )
    }
    total = sum(states.values())
    # Every suggestion belongs to a patch (foreign key): a scope that narrows nothing counts the
    # suggestions alone, off their verdict index.
    with_suggestion = base.join(suggestions, suggestions.c.patch_id == patches.c.id)
    det, on_current = current_det()
    with_det = base.join(det, on_current)
    n_overdue = session.scalar(select(func.count()).select_from(base.where(overdue(today)).subquery()))
    soon = visible(list_query(), scope).where(
        due_between(today, today + dt.timedelta(days=DUE_SOON_DAYS)), not_split_parent()
    )
    soon_rows = session.execute(soon.order_by(patches.c.due_on, patches.c.patch_code).limit(100)).all()
    returns = return_deadlines(session, [r.id for r in soon_rows])
    due_soon = sorted((patch_row(r, returns, today) for r in soon_rows), key=lambda r: (r.due, r.patch_code))
    return Dashboard(
        total=total,
        by_state=[(s.value, states.get(s.value, 0)) for s in State],
        by_suggestion=_grouped(session, suggestions.c.verdict, with_suggestion, total),
        by_determination=_grouped(session, det.c.verdict, with_det, total),
        overdue=int(n_overdue or 0),
        due_soon=due_soon[:20],
        closure=_closure(session, scope),
        overdue_referrals=overdue_count(session, scope, today),
    )


def _closure(session: Session, scope: Scope) -> list[MonthlyClosure]:
    """月清 per township and month (the lists service's figures), a township user's own only;
    the newest month first, in a month the townships furthest behind first."""
    if scope.nothing or scope.department is not None:  # 月清 is the townships' and the bureau's
        return []
    names = None
    if scope.townships is not None:
        names = set(
            session.scalars(select(townships.c.name).where(townships.c.code.in_(sorted(scope.townships))))
        )
        if not names:
            return []
    rows = sorted(
        (
            m
            for m in closure(session, include_restricted=scope.restricted)
            if names is None or m.township in names
        ),
        key=lambda m: (m.rate, m.township),
    )
    return sorted(rows, key=lambda m: m.month, reverse=True)[:60]
