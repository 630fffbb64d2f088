"""The special lists: 乱占耕地建房, military (offline only), overdue, returned; and 月清 figures."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from weipian.domain.clock import BEIJING
from weipian.domain.workflow import Action, State
from weipian.messages.labels import NO_UNIT, PRIORITY_LABELS
from weipian.rules import PRIORITY_FLAGS
from weipian.services import deadlines
from weipian.services.deadlines import RETURN_ACTIONS
from weipian.stats.deadlines import MonthlyClosure, days_left, month_end, monthly_closure
from weipian.storage.splits import not_split_parent, split_parents
from weipian.storage.tables import (
    batches,
    events,
    patch_facts,
    patches,
    suggestions,
    townships,
)
from weipian.storage.workflow import latest_determinations

NO_TOWNSHIP = NO_UNIT  # patches outside every township

LISTS = ("housing", "military", "overdue", "returned")


def _base(session: Session) -> Any:
    det = latest_determinations()
    returned, due = deadlines.running_due()
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
        .outerjoin(returned, returned.c.patch_id == patches.c.id)
        # the web list's order (services.queries.patches.ordered): 重点关注 first, then the
        # running deadline, then JCBH
        .order_by(patches.c.priority.desc(), due, patches.c.patch_code, patches.c.id)
    )


@dataclass(frozen=True, slots=True)
class ListRow:
    """A row of a special list (the military list's whole row; the others add their columns).
    :meth:`as_json` is what ``weipian lists show --json`` prints (INTERFACE.md)."""

    patch_code: str  # JCBH
    source: str
    township_code: str | None
    township: str | None  # the township's name
    area_m2: float  # rounded to 0.01
    state: str  # ZT
    suggestion: str | None  # YPJG
    determination: str | None  # PDJG of the current version
    priority: tuple[str, ...]  # 重点关注 labels

    @staticmethod
    def values(r: Any) -> dict[str, Any]:
        """The common fields from a row of :func:`_base`."""
        return {
            "patch_code": r.patch_code,
            "source": r.source,
            "township_code": r.township_code,
            "township": r.township_name,
            "area_m2": round(r.area_m2, 2),
            "state": r.state,
            "suggestion": r.suggestion,
            "determination": r.verdict,
            "priority": tuple(priority_labels(r.flags)),
        }

    def as_json(self) -> dict[str, Any]:
        """The row under the CLI's keys, in field order: ``JCBH`` for the patch code, lists as lists."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            out["JCBH" if f.name == "patch_code" else f.name] = (
                list(value) if isinstance(value, tuple) else value
            )
        return out


@dataclass(frozen=True, slots=True)
class HousingRow(ListRow):
    """乱占耕地建房: confirmed by a determination, or a candidate of the judge not yet determined."""

    confirmed: bool
    housing_class: str | None
    farmland_area_m2: float | None
    basic_farmland_area_m2: float | None


@dataclass(frozen=True, slots=True)
class OverdueRow(ListRow):
    """逾期: past its running deadline."""

    due_on: dt.date  # the running deadline
    days_overdue: int


@dataclass(frozen=True, slots=True)
class ReturnedRow(ListRow):
    """被退回: the reasons of the latest return and the correction deadline."""

    reasons: tuple[str, ...]  # review reason codes
    due_on: dt.date | None
    days_left: int | None


def special_list(
    session: Session, name: str, *, on: dt.date, townships: Collection[str] | None = None
) -> list[ListRow]:
    """One of LISTS as rows; ``townships`` narrows to those townships (a unit's)."""
    query = _base(session)
    if townships is not None:
        query = query.where(patches.c.township_code.in_(sorted(townships)))
    if name == "overdue":  # the one SQL definition of the running deadline (services/deadlines.py)
        # A split patch is late through its parts (its state is theirs): listed once, as parts.
        late = session.execute(query.where(deadlines.overdue(on), not_split_parent())).all()
        running = deadlines.return_deadlines(session, [r.id for r in late])
        out: list[ListRow] = []
        for r in late:
            late_on = deadlines.effective_due(r, running)
            out.append(OverdueRow(**ListRow.values(r), due_on=late_on, days_overdue=-days_left(late_on, on)))
        return out
    rows = session.execute(query).all()
    if name == "housing":
        out = []
        for r in rows:
            data = r.data or {}
            candidate = "farmland_housing_candidate" in (r.flags or [])
            if data.get("farmland_housing") or (candidate and r.verdict is None):
                out.append(
                    HousingRow(
                        **ListRow.values(r),
                        confirmed=bool(data.get("farmland_housing")),
                        housing_class=data.get("farmland_housing_class"),
                        farmland_area_m2=data.get("farmland_area_m2"),
                        basic_farmland_area_m2=data.get("basic_farmland_area_m2"),
                    )
                )
        return out
    if name == "military":
        return [ListRow(**ListRow.values(r)) for r in rows if r.restricted or "restricted" in (r.flags or [])]
    if name == "returned":
        parents = split_parents(session)  # returned through a part: the part is listed
        back = [
            r.id for r in rows if r.state in (State.county_returned, State.returned) and r.id not in parents
        ]
        reasons_of = return_reasons(session, back)
        running = deadlines.return_deadlines(session, back)
        out = []
        for r in rows:
            if r.state in (State.county_returned, State.returned):
                reasons, due = reasons_of.get(r.id, []), running.get(r.id)
                out.append(
                    ReturnedRow(
                        **ListRow.values(r),
                        reasons=tuple(reasons),
                        due_on=due,
                        days_left=days_left(due, on) if due else None,
                    )
                )
        return out
    raise ValueError(name)


def return_reasons(session: Session, ids: list[int]) -> dict[int, list[str]]:
    """The reasons of each patch's latest return (its deadline: :mod:`weipian.services.deadlines`)."""
    out: dict[int, list[str]] = {}
    rows = session.execute(
        select(events.c.patch_id, events.c.payload)
        .where(events.c.action.in_(deadlines.RETURN_ACTIONS), events.c.patch_id.in_(ids))
        .order_by(events.c.id)
    )
    for r in rows:
        out[r.patch_id] = list(r.payload.get("reasons", []))
    return out


def priority_labels(flags: Any) -> list[str]:
    """The badge texts of the priority flags among a suggestion's ``flags`` (None: none)."""
    return [PRIORITY_LABELS.get(flag, flag) for flag in PRIORITY_FLAGS if flag in (flags or ())]


def closure(
    session: Session, township: str | None = None, *, include_restricted: bool = True
) -> list[MonthlyClosure]:
    """月清 per township (by name; ``township`` keeps one) and month of issue. Restricted patches
    count only with ``include_restricted`` (市局 roles): for anyone else the figures must agree
    with the patches they can see.

    A patch issued in month *m* is done when, at the end of *m* in Beijing time, its latest
    submission is not followed by a return (市局 or 上级退回) within the month: a filing sent back
    to be corrected is not closed. Counted in SQL per batch (each has its own month end) and
    township, from the events' (action, patch, time) index: the dashboard asks on every visit.
    """
    names: dict[str, str] = {
        r.code: r.name for r in session.execute(select(townships.c.code, townships.c.name))
    }
    issued_on: dict[int, dt.date] = {
        r.id: r.issued_on for r in session.execute(select(batches.c.id, batches.c.issued_on))
    }
    codes = [c for c, n in names.items() if n == township] if township is not None else None
    # a split patch (被拆分) is done through its parts: it counts neither as issued nor as done
    by_batch = (
        select(patches.c.township_code, patches.c.batch_id, func.count())
        .where(not_split_parent())
        .group_by(patches.c.township_code, patches.c.batch_id)
    )
    if codes is not None:
        by_batch = by_batch.where(patches.c.township_code.in_(codes))
    if not include_restricted:
        by_batch = by_batch.where(patches.c.restricted.is_(False))
    done: list[tuple[str, dt.date, dt.date, int]] = []
    for batch_id, issued in issued_on.items():
        end = month_end(issued)
        for code, n in session.execute(
            _done_in_month(batch_id, _beijing_midnight_after(end), codes, include_restricted)
        ):
            done.append((names.get(code) or NO_TOWNSHIP, issued, end, n))
    return monthly_closure(
        (
            (names.get(code) or NO_TOWNSHIP, issued_on[batch], n)
            for code, batch, n in session.execute(by_batch)
        ),
        done,
    )


def _beijing_midnight_after(day: dt.date) -> dt.datetime:
    """The UTC instant the Beijing day after ``day`` begins (events are stored in UTC)."""
    start = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=BEIJING)
    return start.astimezone(dt.UTC)


def _done_in_month(
    batch_id: int, before: dt.datetime, codes: list[str] | None, include_restricted: bool
) -> Any:
    """Patches of a batch, per township, whose last submission before ``before`` was not
    followed by a return before ``before``."""

    def last(actions: tuple[str, ...], label: str) -> Any:
        return (
            select(events.c.patch_id, func.max(events.c.at).label(label))
            .where(events.c.action.in_(actions), events.c.at < before)
            .group_by(events.c.patch_id)
            .subquery()
        )

    sub = last((Action.determination_submit.value,), "submitted")
    ret = last(RETURN_ACTIONS, "returned")
    query = (
        select(patches.c.township_code, func.count())
        .select_from(
            patches.join(sub, sub.c.patch_id == patches.c.id).outerjoin(ret, ret.c.patch_id == patches.c.id)
        )
        .where(
            patches.c.batch_id == batch_id,
            (ret.c.returned.is_(None)) | (ret.c.returned < sub.c.submitted),
            not_split_parent(),
        )
        .group_by(patches.c.township_code)
    )
    if not include_restricted:
        query = query.where(patches.c.restricted.is_(False))
    return query if codes is None else query.where(patches.c.township_code.in_(codes))
