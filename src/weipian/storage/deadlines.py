"""The return deadlines in SQL: the part of the running deadline the storage layer can state.

The running deadline itself (:mod:`weipian.services.deadlines`) is built on these; the statistics
records read the same :func:`return_deadlines`, so 月清, the lists and the dashboard agree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import Subquery, func, select
from sqlalchemy.orm import Session

from weipian.domain.workflow import Action
from weipian.storage.tables import events

RETURN_ACTIONS = (Action.review_return.value, Action.report_return.value)


def latest_returns() -> Subquery:
    """``patch_id`` and ``due`` (ISO date text, or NULL) of each patch's latest return event."""
    last = (
        select(func.max(events.c.id)).where(events.c.action.in_(RETURN_ACTIONS)).group_by(events.c.patch_id)
    )
    return (
        select(events.c.patch_id, events.c.payload["due_on"].as_string().label("due"))
        .where(events.c.id.in_(last))
        .subquery()
    )


def return_deadlines(session: Session, ids: Iterable[int] | None = None) -> dict[int, dt.date]:
    """Patch id → correction deadline of its latest return (of the patches ``ids`` when given)."""
    r = latest_returns()
    query = select(r.c.patch_id, r.c.due).where(r.c.due.is_not(None))
    if ids is not None:
        query = query.where(r.c.patch_id.in_(list(ids)))
    return {pid: dt.date.fromisoformat(due) for pid, due in session.execute(query) if due}


def return_deadline(session: Session, patch_id: int) -> dict[int, dt.date]:
    """:func:`return_deadlines` for one patch (its latest return event only): the patch page
    reads one patch's events, not every return of the county."""
    payload = session.scalar(
        select(events.c.payload)
        .where(events.c.patch_id == patch_id, events.c.action.in_(RETURN_ACTIONS))
        .order_by(events.c.id.desc())
        .limit(1)
    )
    due = payload.get("due_on") if payload else None
    return {patch_id: dt.date.fromisoformat(due)} if due else {}
