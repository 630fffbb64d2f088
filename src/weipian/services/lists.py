"""The special lists: 乱占耕地建房, military (offline only), overdue, returned; and 月清 figures."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from weipian.domain.workflow import OPEN_STATES, Action, State
from weipian.stats.deadlines import MonthlyClosure, days_left, monthly_closure
from weipian.storage.tables import (
    batches,
    events,
    patch_facts,
    patches,
    suggestions,
    townships,
)
from weipian.storage.workflow import latest_determinations

NO_TOWNSHIP = "（未归属）"  # patches outside every township

LISTS = ("housing", "military", "overdue", "returned")


def _base(session: Session) -> Any:
    det = latest_determinations()
    return (
        select(
            patches.c.id,
            patches.c.patch_code,
            patches.c.source,
            patches.c.township_code,
            townships.c.name.label("township_name"),
            patches.c.area_m2,
            patches.c.state,
            patches.c.due_on,
            det.c.verdict,
            det.c.data,
            suggestions.c.verdict.label("suggestion"),
            suggestions.c.flags,
            patches.c.restricted,
        )
        .select_from(patches)
        .outerjoin(townships, townships.c.code == patches.c.township_code)
        .outerjoin(det, det.c.patch_id == patches.c.id)
        .outerjoin(suggestions, suggestions.c.patch_id == patches.c.id)
        .outerjoin(patch_facts, patch_facts.c.patch_id == patches.c.id)
        .order_by(patches.c.township_code, patches.c.patch_code)
    )


def _row(r: Any, **extra: Any) -> dict[str, Any]:
    return {
        "JCBH": r.patch_code,
        "source": r.source,
        "township_code": r.township_code,
        "township": r.township_name,
        "area_m2": round(r.area_m2, 2),
        "state": r.state,
        "suggestion": r.suggestion,
        "determination": r.verdict,
        **extra,
    }


def special_list(
    session: Session, name: str, *, on: dt.date, township: str | None = None
) -> list[dict[str, Any]]:
    """One of LISTS as rows; ``township`` narrows to one township."""
    query = _base(session)
    if township:
        query = query.where(patches.c.township_code == township)
    rows = session.execute(query).all()
    if name == "housing":
        out = []
        for r in rows:
            data = r.data or {}
            candidate = "farmland_housing_candidate" in (r.flags or [])
            if data.get("farmland_housing") or (candidate and r.verdict is None):
                out.append(
                    _row(
                        r,
                        confirmed=bool(data.get("farmland_housing")),
                        housing_class=data.get("farmland_housing_class"),
                        farmland_area_m2=data.get("farmland_area_m2"),
                        basic_farmland_area_m2=data.get("basic_farmland_area_m2"),
                    )
                )
        return out
    if name == "military":
        return [_row(r) for r in rows if r.restricted or "restricted" in (r.flags or [])]
    returns = return_deadlines(session)
    if name == "overdue":
        out = []
        for r in rows:
            if State(r.state) not in OPEN_STATES:
                continue
            due = returns.get(r.id, (None, r.due_on))[1] or r.due_on
            if days_left(due, on) < 0:
                out.append(_row(r, due_on=due, days_overdue=-days_left(due, on)))
        return out
    if name == "returned":
        out = []
        for r in rows:
            if r.state in (State.county_returned, State.returned):
                reasons, due = returns.get(r.id, ([], None))
                out.append(
                    _row(r, reasons=reasons, due_on=due, days_left=days_left(due, on) if due else None)
                )
        return out
    raise ValueError(name)


def return_deadlines(session: Session) -> dict[int, tuple[list[str], dt.date | None]]:
    """The latest return event of each patch: its reasons and correction deadline."""
    out: dict[int, tuple[list[str], dt.date | None]] = {}
    rows = session.execute(
        select(events.c.patch_id, events.c.payload)
        .where(events.c.action.in_([Action.review_return.value, Action.report_return.value]))
        .order_by(events.c.id)
    )
    for r in rows:
        due = r.payload.get("due_on")
        out[r.patch_id] = (list(r.payload.get("reasons", [])), dt.date.fromisoformat(due) if due else None)
    return out


def closure(
    session: Session, township: str | None = None, *, include_restricted: bool = True
) -> list[MonthlyClosure]:
    """月清 per township (by name; ``township`` keeps one) and month of issue: determined (first
    submitted) by the month's end. Restricted patches count only with ``include_restricted``
    (市局 roles): for anyone else the figures must agree with the patches they can see.

    Counted in SQL by township, batch and first-submission day (an index holds township and
    batch), not patch by patch: the dashboard asks for it on every visit.
    """
    names: dict[str, str] = {
        r.code: r.name for r in session.execute(select(townships.c.code, townships.c.name))
    }
    issued_on: dict[int, dt.date] = {
        r.id: r.issued_on for r in session.execute(select(batches.c.id, batches.c.issued_on))
    }
    first_submit = (
        select(events.c.patch_id, func.min(events.c.at).label("at"))
        .where(events.c.action == Action.determination_submit.value)
        .group_by(events.c.patch_id)
        .subquery()
    )
    by_batch = select(patches.c.township_code, patches.c.batch_id, func.count()).group_by(
        patches.c.township_code, patches.c.batch_id
    )
    day = func.date(first_submit.c.at)
    submitted = (
        select(patches.c.township_code, patches.c.batch_id, day, func.count())
        .select_from(first_submit.join(patches, patches.c.id == first_submit.c.patch_id))
        .group_by(patches.c.township_code, patches.c.batch_id, day)
    )
    if not include_restricted:
        by_batch = by_batch.where(patches.c.restricted.is_(False))
        submitted = submitted.where(patches.c.restricted.is_(False))
    if township is not None:
        codes = [c for c, n in names.items() if n == township]
        by_batch = by_batch.where(patches.c.township_code.in_(codes))
        submitted = submitted.where(patches.c.township_code.in_(codes))
    return monthly_closure(
        (
            (names.get(code) or NO_TOWNSHIP, issued_on[batch], n)
            for code, batch, n in session.execute(by_batch)
        ),
        (
            (names.get(code) or NO_TOWNSHIP, issued_on[batch], _day(on), n)
            for code, batch, on, n in session.execute(submitted)
        ),
    )


def _day(v: Any) -> dt.date:
    """SQL ``date()``: text on SQLite, a date on PostgreSQL."""
    return v if isinstance(v, dt.date) else dt.date.fromisoformat(v)
