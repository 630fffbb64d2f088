"""Reminders per unit (``weipian due`` and the dashboard): what falls due within 7 days and what
is overdue — rectification deadlines, referral feedback, verification — and the 销号 requests
waiting for the 市局.

A unit is the ledger record's responsible unit, else the patch's township. Verification
deadlines are the lists service's: a returned patch runs on its return's correction deadline.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from weipian.domain.clock import BEIJING
from weipian.domain.ledger import REMINDER_DAYS, RecordState
from weipian.errors import InputError
from weipian.services import deadlines
from weipian.services.lists import NO_TOWNSHIP
from weipian.services.units import unit_filter
from weipian.storage.splits import not_split_parent
from weipian.storage.tables import (
    close_out_requests,
    patches,
    rectifications,
    referrals,
    townships,
    units,
)

KINDS = ("rectification", "referral", "verification", "close_out")


@dataclass(frozen=True)
class DueItem:
    """One thing due: its kind, patch, day due (or, for a waiting 销号 request, the day asked)."""

    kind: str
    patch_id: int
    patch_code: str
    unit: str | None
    day: dt.date
    days_left: int  # negative: days overdue; for close_out: minus the days waited
    ref: int | None = None  # referral id or 销号 request id
    detail: str | None = None  # the department of a referral

    @property
    def overdue(self) -> bool:
        return self.kind != "close_out" and self.days_left < 0


@dataclass
class UnitDue:
    """A unit's reminders."""

    unit: str | None
    name: str
    due_soon: list[DueItem] = field(default_factory=list)
    overdue: list[DueItem] = field(default_factory=list)
    waiting: list[DueItem] = field(default_factory=list)  # 销号 requests waiting for the 市局

    @property
    def total(self) -> int:
        return len(self.due_soon) + len(self.overdue) + len(self.waiting)


def _beijing_day(at: dt.datetime) -> dt.date:
    return (at if at.tzinfo else at.replace(tzinfo=dt.UTC)).astimezone(BEIJING).date()


def reminders(
    session: Session,
    *,
    today: dt.date,
    unit: str | None = None,
    include_restricted: bool = True,
    days: int = REMINDER_DAYS,
) -> list[UnitDue]:
    """Every unit's reminders (only ``unit``'s when given: what it is responsible for and what lies
    in its townships), units with the most overdue first."""
    names: dict[str, str] = {
        code: name for code, name in session.execute(select(townships.c.code, townships.c.name))
    } | {code: name for code, name in session.execute(select(units.c.code, units.c.name))}
    if unit is not None and unit not in names:
        raise InputError("due.unit_unknown", unit=unit)
    mine = None if unit is None else _Mine(unit, unit_filter(session, unit)[1] or frozenset())
    horizon = today + dt.timedelta(days=days)
    items = [
        *_rectification(session, horizon, mine, include_restricted, today),
        *_referrals(session, horizon, mine, include_restricted, today),
        *_verification(session, horizon, mine, include_restricted, today),
        *_close_out(session, mine, include_restricted, today),
    ]
    by_unit: dict[str | None, UnitDue] = {}
    if unit is not None:  # the unit asked for is shown even with nothing due, and holds all
        by_unit[unit] = UnitDue(unit, names[unit])
    for item in sorted(items, key=lambda i: (i.days_left, i.patch_code, i.kind)):
        key = unit if unit is not None else item.unit
        u = by_unit.setdefault(key, UnitDue(key, names.get(key or "", NO_TOWNSHIP)))
        target = u.waiting if item.kind == "close_out" else u.overdue if item.overdue else u.due_soon
        target.append(item)
    return sorted(by_unit.values(), key=lambda u: (-len(u.overdue), -u.total, u.unit or "~"))


@dataclass(frozen=True)
class _Mine:
    """A unit asked for and the townships it covers."""

    code: str
    townships: frozenset[str]


def _narrow(query: Select[Any], unit_col: Any, unit: _Mine | None, include_restricted: bool) -> Select[Any]:
    if unit is not None:
        query = query.where(or_(unit_col == unit.code, patches.c.township_code.in_(sorted(unit.townships))))
    if not include_restricted:
        query = query.where(patches.c.restricted.is_(False))
    return query


def _rectification(
    session: Session, horizon: dt.date, unit: _Mine | None, restricted: bool, today: dt.date
) -> list[DueItem]:
    q = (
        select(
            patches.c.id, patches.c.patch_code, rectifications.c.responsible_unit, rectifications.c.deadline
        )
        .select_from(rectifications.join(patches, patches.c.id == rectifications.c.patch_id))
        .where(rectifications.c.state == RecordState.rectifying.value, rectifications.c.deadline <= horizon)
    )
    q = _narrow(q, rectifications.c.responsible_unit, unit, restricted)
    return [DueItem("rectification", r.id, r.patch_code, r.responsible_unit, r.deadline,
                    (r.deadline - today).days) for r in session.execute(q)]  # fmt: skip


def _referrals(
    session: Session, horizon: dt.date, unit: _Mine | None, restricted: bool, today: dt.date
) -> list[DueItem]:
    q = (
        select(
            referrals.c.id.label("ref"),
            referrals.c.department,
            referrals.c.due_on,
            patches.c.id,
            patches.c.patch_code,
            patches.c.township_code,
        )
        .select_from(referrals.join(patches, patches.c.id == referrals.c.patch_id))
        .where(referrals.c.feedback_at.is_(None), referrals.c.due_on <= horizon)  # open until 办结
    )
    q = _narrow(q, patches.c.township_code, unit, restricted)
    return [DueItem("referral", r.id, r.patch_code, r.township_code, r.due_on, (r.due_on - today).days,
                    ref=r.ref, detail=r.department) for r in session.execute(q)]  # fmt: skip


def _verification(
    session: Session, horizon: dt.date, unit: _Mine | None, restricted: bool, today: dt.date
) -> list[DueItem]:
    q = select(
        patches.c.id, patches.c.patch_code, patches.c.township_code, patches.c.state, patches.c.due_on
    ).where(deadlines.due_between(None, horizon), not_split_parent())  # a split patch is due as its parts
    q = _narrow(q, patches.c.township_code, unit, restricted)
    rows = session.execute(q).all()
    running = deadlines.return_deadlines(session, [r.id for r in rows])
    out = []
    for r in rows:
        due = deadlines.effective_due(r, running)
        out.append(DueItem("verification", r.id, r.patch_code, r.township_code, due, (due - today).days))
    return out


def _close_out(session: Session, unit: _Mine | None, restricted: bool, today: dt.date) -> list[DueItem]:
    q = (
        select(
            close_out_requests.c.id.label("ref"),
            close_out_requests.c.requested_at,
            patches.c.id,
            patches.c.patch_code,
            rectifications.c.responsible_unit,
        )
        .select_from(
            close_out_requests.join(
                rectifications, rectifications.c.id == close_out_requests.c.rectification_id
            ).join(patches, patches.c.id == rectifications.c.patch_id)
        )
        .where(close_out_requests.c.decision.is_(None))
    )
    q = _narrow(q, rectifications.c.responsible_unit, unit, restricted)
    out = []
    for r in session.execute(q):
        day = _beijing_day(r.requested_at)
        out.append(
            DueItem("close_out", r.id, r.patch_code, r.responsible_unit, day, (day - today).days, ref=r.ref)
        )
    return out


def count_by_kind(units: list[UnitDue]) -> dict[str, dict[str, int]]:
    """``{"overdue": {kind: n}, "due_soon": {…}, "waiting": {…}}`` over all units."""
    out: dict[str, dict[str, int]] = {
        "overdue": defaultdict(int),
        "due_soon": defaultdict(int),
        "waiting": {},
    }
    for u in units:
        for i in u.overdue:
            out["overdue"][i.kind] += 1
        for i in u.due_soon:
            out["due_soon"][i.kind] += 1
    out["waiting"] = {"close_out": sum(len(u.waiting) for u in units)}
    return {k: dict(v) for k, v in out.items()}
