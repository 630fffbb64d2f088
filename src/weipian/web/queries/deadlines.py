"""Deadlines as the special lists compute them: a returned patch is due 30 days after its return.

Reads the return events as the lists service does (the latest return of a patch, by event id,
carries its correction deadline), so the list page, the dashboard and ``weipian lists show
overdue`` agree; here in SQL, so a page reads the deadlines of its own rows and a filter never
loads every return of the county into Python.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, Subquery, and_, func, or_, select
from sqlalchemy.orm import Session

from weipian.domain.workflow import Action, State
from weipian.storage.tables import events, patches

RETURNED = (State.county_returned.value, State.returned.value)
WAITING = (State.issued.value, State.verifying.value)
RETURN_ACTIONS = (Action.review_return.value, Action.report_return.value)  # as the lists service reads them


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


def effective_due(row: Any, returns: dict[int, dt.date]) -> dt.date:
    """The deadline that runs now: the return's for a returned patch, else the patch's own."""
    if row.state in RETURNED and row.id in returns:
        return returns[row.id]
    due: dt.date = row.due_on
    return due


def due_between(start: dt.date | None, end: dt.date | None) -> ColumnElement[bool]:
    """Open patches whose running deadline falls in [start, end] (either end may be open)."""
    own: list[ColumnElement[bool]] = [patches.c.state.in_(WAITING)]
    r = latest_returns()
    back: list[ColumnElement[bool]] = [r.c.due.is_not(None)]
    if start is not None:
        own.append(patches.c.due_on >= start)
        back.append(r.c.due >= start.isoformat())
    if end is not None:
        own.append(patches.c.due_on <= end)
        back.append(r.c.due <= end.isoformat())
    returned = and_(patches.c.state.in_(RETURNED), patches.c.id.in_(select(r.c.patch_id).where(*back)))
    return or_(and_(*own), returned)


def overdue(today: dt.date) -> ColumnElement[bool]:
    """Open patches past their running deadline."""
    return due_between(None, today - dt.timedelta(days=1))
