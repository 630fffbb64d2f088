"""Load the plain records statistics are computed from (``weipian.stats.records``).

A handful of grouped queries, joined in Python by patch id: patches with their batch, desk
figures, current determination and suggestion flags; the first submission and the latest
return; ratio exclusions (from the event log); referrals. Nothing here computes a figure.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from weipian.domain.clock import BEIJING
from weipian.domain.workflow import Action
from weipian.stats.records import Case, PatchRecord, Rectification, ReferralRecord
from weipian.storage.deadlines import RETURN_ACTIONS, return_deadlines
from weipian.storage.tables import (
    batches,
    case_persons,
    cases,
    events,
    patch_facts,
    patch_splits,
    patches,
    rectifications,
    referrals,
    suggestions,
    townships,
)
from weipian.storage.workflow import latest_determinations

SUBMIT = Action.determination_submit.value
EXCLUSION_SET, EXCLUSION_CLEAR = Action.ratio_exclusion_set.value, Action.ratio_exclusion_clear.value


def beijing_day(at: dt.datetime) -> dt.date:
    """The Beijing calendar day of a stored time (naive values are UTC, as SQLite returns them)."""
    aware = at if at.tzinfo else at.replace(tzinfo=dt.UTC)
    return aware.astimezone(BEIJING).date()


def _as_date(v: Any) -> dt.date | None:
    if v is None or v == "":
        return None
    return v if isinstance(v, dt.date) else dt.date.fromisoformat(str(v)[:10])


def _float(v: Any) -> float | None:
    try:
        return None if v is None or v == "" else float(v)
    except (TypeError, ValueError):
        return None


def exclusions(session: Session) -> dict[int, str]:
    """The ratio exclusion (排除情形) in force per patch: the latest set/clear event decides."""
    out: dict[int, str] = {}
    rows = session.execute(
        select(events.c.patch_id, events.c.action, events.c.payload)
        .where(events.c.action.in_([EXCLUSION_SET, EXCLUSION_CLEAR]))
        .order_by(events.c.id)
    )
    for r in rows:
        if r.action == EXCLUSION_SET:
            out[r.patch_id] = str(r.payload.get("category"))
        else:
            out.pop(r.patch_id, None)
    return out


def _submissions(session: Session) -> dict[int, dt.datetime]:
    rows = session.execute(
        select(events.c.patch_id, func.min(events.c.at))
        .where(events.c.action == SUBMIT)
        .group_by(events.c.patch_id)
    )
    return {pid: at for pid, at in rows}


def _returns(session: Session) -> dict[int, tuple[dt.datetime, dt.date | None]]:
    """The latest return of each patch: when, and its correction deadline."""
    out: dict[int, tuple[dt.datetime, dt.date | None]] = {}
    rows = session.execute(
        select(events.c.patch_id, events.c.at, events.c.payload)
        .where(events.c.action.in_(RETURN_ACTIONS))
        .order_by(events.c.id)
    )
    for pid, at, payload in rows:
        out[pid] = (at, _as_date((payload or {}).get("due_on")))
    return out


def ledger_rectifications(session: Session) -> dict[int, Rectification]:
    """The rectification ledger's record of each patch: areas to date, 销号, deadline."""
    rows = session.execute(
        select(
            rectifications.c.patch_id, rectifications.c.state, rectifications.c.demolished_m2,
            rectifications.c.demolished_farmland_m2, rectifications.c.regularised_m2,
            rectifications.c.regularised_farmland_m2, rectifications.c.deadline, rectifications.c.major_case,
            rectifications.c.responsible_person,
        )
    )  # fmt: skip
    return {
        r.patch_id: Rectification(
            demolished_m2=float(r.demolished_m2),
            demolished_farmland_m2=float(r.demolished_farmland_m2),
            regularised_m2=float(r.regularised_m2),
            regularised_farmland_m2=float(r.regularised_farmland_m2),
            closed_out=r.state == "closed",
            deadline=_as_date(r.deadline),
            major_case=bool(r.major_case),
            responsible=r.responsible_person,
        )
        for r in rows
    }


def ledger_cases(session: Session) -> dict[int, Case]:
    """The case register by patch (the latest case of a patch), with confirmed persons counted."""
    persons: dict[tuple[int, str], int] = {}
    for case_id, outcome, n in session.execute(
        select(case_persons.c.case_id, case_persons.c.outcome, func.count())
        .where(case_persons.c.confirmed_by.is_not(None))
        .group_by(case_persons.c.case_id, case_persons.c.outcome)
    ):
        persons[(case_id, outcome)] = int(n)
    out: dict[int, Case] = {}
    rows = session.execute(
        select(cases.c.id, cases.c.patch_id, cases.c.filed_on, cases.c.closed_on, cases.c.fine_yuan).order_by(
            cases.c.id
        )
    )
    for r in rows:
        out[r.patch_id] = Case(
            filed_on=_as_date(r.filed_on),
            closed_on=_as_date(r.closed_on),
            discipline=persons.get((r.id, "discipline"), 0),
            organisational=persons.get((r.id, "organisational"), 0),
            judicial=persons.get((r.id, "judicial"), 0),
            fine_yuan=float(r.fine_yuan or 0.0),
        )
    return out


def split_roles(session: Session) -> dict[int, str]:
    """``parent`` or ``child`` for every patch in a split (图斑拆分)."""
    out: dict[int, str] = {}
    for parent, child in session.execute(
        select(patch_splits.c.parent_patch_id, patch_splits.c.child_patch_id)
    ):
        out[parent] = "parent"
        out[child] = "child"
    return out


def unit_names(session: Session) -> dict[str, str]:
    return {r.code: r.name for r in session.execute(select(townships.c.code, townships.c.name))}


def patch_records(
    session: Session,
    *,
    mineral_illegal: Callable[[str], bool],
    rectifications: dict[int, Rectification] | None = None,
    case_register: dict[int, Case] | None = None,
    year: int | None = None,
) -> list[PatchRecord]:
    """Every patch (or one monitoring year's) as a :class:`PatchRecord`.

    ``mineral_illegal`` says whether a mineral verdict label belongs to the 违法 class (rule data);
    ``rectifications`` and ``case_register`` are what the ledger holds, by patch id.
    """
    det = latest_determinations()
    query = (
        select(
            patches.c.id, patches.c.patch_code, patches.c.source, patches.c.year, patches.c.issued_on,
            patches.c.township_code, patches.c.area_m2, patches.c.state, patches.c.due_on,
            batches.c.name.label("batch"), batches.c.issued_on.label("batch_issued_on"),
            patch_facts.c.farmland_m2, patch_facts.c.basic_farmland_m2, patches.c.restricted,
            det.c.verdict, det.c.violation_type, det.c.farmland_housing, det.c.data,
            suggestions.c.flags,
        )
        .join(batches, batches.c.id == patches.c.batch_id)
        .outerjoin(patch_facts, patch_facts.c.patch_id == patches.c.id)
        .outerjoin(det, det.c.patch_id == patches.c.id)
        .outerjoin(suggestions, suggestions.c.patch_id == patches.c.id)
        .order_by(patches.c.id)
    )  # fmt: skip
    if year is not None:
        query = query.where(patches.c.year == year)
    submitted = _submissions(session)
    returned = _returns(session)
    running = return_deadlines(session)  # the one reading of a return's deadline
    excluded = exclusions(session)
    splits = split_roles(session)
    rects, case_of = rectifications or {}, case_register or {}
    out = []
    for r in session.execute(query):
        data: dict[str, Any] = r.data or {}
        first = submitted.get(r.id)
        ret = returned.get(r.id)
        due_on = _as_date(r.due_on) or dt.date.max
        mineral = data.get("mineral_verdict")
        out.append(
            PatchRecord(
                patch_id=r.id,
                code=r.patch_code,
                source=r.source,
                batch=r.batch,
                year=r.year,
                issued_on=_as_date(r.issued_on) or _as_date(r.batch_issued_on),
                unit=r.township_code,
                area_m2=float(r.area_m2),
                desk_farmland_m2=r.farmland_m2,
                desk_basic_farmland_m2=r.basic_farmland_m2,
                restricted=bool(r.restricted),
                state=r.state,
                due_on=due_on,
                effective_due_on=running.get(r.id, due_on),
                verdict=r.verdict,
                subtype=data.get("subtype"),
                violation_type=r.violation_type,
                illegal_area_m2=_float(data.get("illegal_area_m2")),
                farmland_m2=_float(data.get("farmland_area_m2")),
                basic_farmland_m2=_float(data.get("basic_farmland_area_m2")),
                is_new=data.get("is_new"),
                housing=bool(r.farmland_housing),
                housing_class=data.get("farmland_housing_class"),
                housing_candidate="farmland_housing_candidate" in (r.flags or []),
                mineral_verdict=mineral,
                mineral_illegal=isinstance(mineral, str) and mineral_illegal(mineral),
                mineral_handling=data.get("mineral_handling"),
                project_name=data.get("project_name"),
                project_owner=data.get("project_owner"),
                opinion=data.get("opinion"),
                submitted_on=beijing_day(first) if first else None,
                returned_after_submit=bool(first and ret and _after(ret[0], first)),
                exclusion=excluded.get(r.id),
                rectification=rects.get(r.id),
                case=case_of.get(r.id),
                split=splits.get(r.id),
            )
        )
    return out


def _after(a: dt.datetime, b: dt.datetime) -> bool:
    aware = [x if x.tzinfo else x.replace(tzinfo=dt.UTC) for x in (a, b)]
    return aware[0] > aware[1]


def referral_records(session: Session) -> list[ReferralRecord]:
    """Every referral with the day its feedback arrived (the single-feedback model)."""
    rows = session.execute(
        select(
            referrals.c.id, referrals.c.patch_id, referrals.c.kind, referrals.c.department,
            referrals.c.referred_at, referrals.c.due_on, referrals.c.feedback_at, patches.c.township_code,
        ).join(patches, patches.c.id == referrals.c.patch_id)
    )  # fmt: skip
    return [
        ReferralRecord(
            referral_id=r.id,
            patch_id=r.patch_id,
            unit=r.township_code,
            kind=r.kind,
            department=r.department,
            referred_on=beijing_day(r.referred_at),
            due_on=_as_date(r.due_on) or dt.date.max,
            finished_on=beijing_day(r.feedback_at) if r.feedback_at else None,
        )
        for r in rows
    ]
