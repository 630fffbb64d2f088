"""Deadlines as the special lists compute them: a returned patch is due 30 days after its return.

Uses the lists service's reading of the return events, so the list page, the dashboard and
``weipian lists show overdue`` agree.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_, select
from sqlalchemy.orm import Session

from weipian.domain.workflow import Action, State
from weipian.services import lists
from weipian.storage.tables import events, patches

RETURNED = (State.county_returned.value, State.returned.value)
WAITING = (State.issued.value, State.verifying.value)
RETURN_ACTIONS = (Action.review_return.value, Action.report_return.value)  # as the lists service reads them


def return_deadlines(session: Session) -> dict[int, dt.date]:
    """Patch id → correction deadline of its latest return."""
    return {pid: due for pid, (_, due) in lists.return_deadlines(session).items() if due is not None}


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


def due_between(
    returns: dict[int, dt.date], start: dt.date | None, end: dt.date | None
) -> ColumnElement[bool]:
    """Open patches whose running deadline falls in [start, end] (either end may be open)."""

    def inside(d: dt.date) -> bool:
        return (start is None or d >= start) and (end is None or d <= end)

    own: list[ColumnElement[bool]] = [patches.c.state.in_(WAITING)]
    if start is not None:
        own.append(patches.c.due_on >= start)
    if end is not None:
        own.append(patches.c.due_on <= end)
    returned_ids = [pid for pid, d in returns.items() if inside(d)]
    back = and_(patches.c.state.in_(RETURNED), patches.c.id.in_(returned_ids)) if returned_ids else false()
    return or_(and_(*own), back)


def overdue(returns: dict[int, dt.date], today: dt.date) -> ColumnElement[bool]:
    """Open patches past their running deadline."""
    return due_between(returns, None, today - dt.timedelta(days=1))
