"""The running deadline, in SQL: the one definition behind ``weipian lists show overdue``, the
web list, the dashboard and the patch page.

While the township still owes a determination (an open state), the deadline that runs is the
correction deadline of the patch's latest return (county or upper level, 30 days), if it was ever
returned, else its own verification deadline. Saving a draft after a return (the state goes back
to 核查中) does not bring the first deadline back.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ColumnElement, Subquery, and_, case, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from weipian.domain.workflow import OPEN_STATES
from weipian.storage.deadlines import RETURN_ACTIONS, latest_returns, return_deadline, return_deadlines
from weipian.storage.tables import patches

OPEN = tuple(sorted(s.value for s in OPEN_STATES))

__all__ = ["RETURN_ACTIONS", "due_between", "effective_due", "latest_returns", "overdue", "return_deadline",
           "return_deadlines", "running_due"]  # fmt: skip


def effective_due(row: Any, returns: dict[int, dt.date]) -> dt.date:
    """The deadline that runs now: an open patch's latest return's, else the patch's own."""
    if row.state in OPEN and row.id in returns:
        return returns[row.id]
    due: dt.date = row.due_on
    return due


class _IsoDate(FunctionElement[str]):
    """A date column as ISO text (YYYY-MM-DD), to compare with the return events' ``due_on`` text."""

    inherit_cache = True


@compiles(_IsoDate)
def _iso_date_default(element: _IsoDate, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(element.clauses, **kw))  # SQLite keeps dates as ISO text


@compiles(_IsoDate, "postgresql")
def _iso_date_postgresql(element: _IsoDate, compiler: Any, **kw: Any) -> str:
    return f"to_char({compiler.process(element.clauses, **kw)}, 'YYYY-MM-DD')"


def running_due() -> tuple[Subquery, ColumnElement[str]]:
    """The running deadline as an SQL expression (ISO date text) to order by: what
    :func:`effective_due` gives a row, for every patch in one query. Outer-join the returned
    subquery on ``patch_id == patches.id`` (one row or none a patch)."""
    r = latest_returns()
    own = _IsoDate(patches.c.due_on)
    due = case((and_(patches.c.state.in_(OPEN), r.c.due.is_not(None)), r.c.due), else_=own)
    return r, due


def due_between(start: dt.date | None, end: dt.date | None) -> ColumnElement[bool]:
    """Open patches whose running deadline falls in [start, end] (either end may be open)."""
    r = latest_returns()
    own: list[ColumnElement[bool]] = [patches.c.id.not_in(select(r.c.patch_id).where(r.c.due.is_not(None)))]
    back: list[ColumnElement[bool]] = [r.c.due.is_not(None)]
    if start is not None:
        own.append(patches.c.due_on >= start)
        back.append(r.c.due >= start.isoformat())
    if end is not None:
        own.append(patches.c.due_on <= end)
        back.append(r.c.due <= end.isoformat())
    returned = patches.c.id.in_(select(r.c.patch_id).where(*back))
    return and_(patches.c.state.in_(OPEN), or_(and_(*own), returned))


def overdue(today: dt.date) -> ColumnElement[bool]:
    """Open patches past their running deadline."""
    return due_between(None, today - dt.timedelta(days=1))
