"""Load the plain records statistics are computed from (``weipian.stats.records``).

A handful of grouped queries, joined in Python by patch id: patches with their batch, desk
figures, current determination and suggestion flags; the first submission and the latest
return; ratio exclusions (from the event log); referrals. Nothing here computes a figure.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import cache
from typing import Any

from sqlalchemy import String, cast, func, select, type_coerce
from sqlalchemy.orm import Session

from weipian.domain.clock import BEIJING
from weipian.domain.workflow import Action
from weipian.stats.records import Case, PatchRecord, Rectification, ReferralRecord
from weipian.storage.deadlines import RETURN_ACTIONS, return_deadlines
from weipian.storage.patches import withheld_from_export
from weipian.storage.tables import (
    batches,
    case_persons,
    cases,
    determinations,
    events,
    patch_facts,
    patch_splits,
    patches,
    rectifications,
    referrals,
    suggestions,
    townships,
)

SUBMIT = Action.determination_submit.value
EXCLUSION_SET, EXCLUSION_CLEAR = Action.ratio_exclusion_set.value, Action.ratio_exclusion_clear.value


BEIJING_OFFSET = dt.timedelta(hours=8)  # China keeps no daylight saving time


def beijing_day(at: dt.datetime) -> dt.date:
    """The Beijing calendar day of a stored time (naive values are UTC, as SQLite returns them).

    >>> beijing_day(dt.datetime(2022, 11, 30, 16, 0)), beijing_day(dt.datetime(2022, 11, 30, 15, 59))
    (datetime.date(2022, 12, 1), datetime.date(2022, 11, 30))
    """
    if at.tzinfo is None:
        return (at + BEIJING_OFFSET).date()
    return at.astimezone(BEIJING).date()


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
    """The case register by patch (one case a patch), with confirmed persons counted: a suggested
    person counts only once someone confirmed it."""
    persons: dict[tuple[int, str], int] = {}
    for case_id, outcome, n in session.execute(
        select(case_persons.c.case_id, case_persons.c.outcome, func.count())
        .where(case_persons.c.confirmed_by.is_not(None))
        .group_by(case_persons.c.case_id, case_persons.c.outcome)
    ):
        persons[(case_id, outcome)] = int(n)
    out: dict[int, Case] = {}
    rows = session.execute(
        select(
            cases.c.id, cases.c.patch_id, cases.c.kind, cases.c.filed_on, cases.c.closed_on, cases.c.fine_yuan
        ).order_by(cases.c.id)
    )
    for r in rows:
        out[r.patch_id] = Case(
            filed_on=_as_date(r.filed_on),
            kind=str(r.kind),
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


def batch_names(session: Session) -> set[str]:
    return set(session.scalars(select(batches.c.name)))


def unit_names(session: Session) -> dict[str, str]:
    return {r.code: r.name for r in session.execute(select(townships.c.code, townships.c.name))}


# The keys of a determination's JSON record statistics read, taken out in SQL: decoding 100,000
# whole records in Python cost more than everything else together.
DATA_KEYS = (
    "subtype", "illegal_area_m2", "farmland_area_m2", "basic_farmland_area_m2", "is_new",
    "farmland_housing_class", "mineral_verdict", "mineral_handling", "project_name", "project_owner", "opinion",
)  # fmt: skip
HOUSING_FLAG = '%"farmland_housing_candidate"%'


def _bool(v: Any) -> bool | None:
    """A JSON boolean as SQL hands it back: 1/0 (SQLite's json_extract) or 'true'/'false' (->>)."""
    if v is None:
        return None
    return v in (1, True, "true", "1")


def _text(v: Any) -> str | None:
    return None if v is None else str(v)


def _as_text(column: Any) -> Any:
    """A date column read as its stored text: no per-row type processing on SQLite."""
    return type_coerce(column, String)


def _day(v: Any) -> dt.date | None:
    """A stored date read as text (SQLite; no per-row type processing) or as a date (PostgreSQL)."""
    if v is None or v == "":
        return None
    return v if isinstance(v, dt.date) else _iso_day(v)


@cache  # a county's patches share a handful of issue dates and deadlines
def _iso_day(text: str) -> dt.date:
    return dt.date.fromisoformat(text[:10])


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
    # The current determination by an index probe on (patch_id, version) for each patch: joining a
    # grouped subquery made SQLite materialise every determination and index it again.
    det = determinations
    newer = determinations.alias("newer")
    latest = (
        select(func.max(newer.c.version))
        .where(newer.c.patch_id == patches.c.id)
        .correlate(patches)
        .scalar_subquery()
    )
    query = (
        select(
            patches.c.id, patches.c.patch_code, patches.c.source, patches.c.year,
            _as_text(patches.c.issued_on), patches.c.township_code, patches.c.area_m2, patches.c.state,
            _as_text(patches.c.due_on), batches.c.name, _as_text(batches.c.issued_on),
            patch_facts.c.farmland_m2, patch_facts.c.basic_farmland_m2, withheld_from_export(),
            det.c.verdict, det.c.violation_type, det.c.farmland_housing,
            cast(suggestions.c.flags, String).like(HOUSING_FLAG),
            *(det.c.data[key].as_string() for key in DATA_KEYS),
        )
        .join(batches, batches.c.id == patches.c.batch_id)
        .outerjoin(patch_facts, patch_facts.c.patch_id == patches.c.id)
        .outerjoin(det, (det.c.patch_id == patches.c.id) & (det.c.version == latest))
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
    illegal_label: dict[str, bool] = {}
    out = []
    for row in session.execute(query):
        (pid, code, source, nf, issued, unit, area, state, due, batch, batch_issued, desk_farm, desk_basic,
         restricted, verdict, wflx, housing, candidate, subtype, illegal_area, farm, basic, is_new, housing_class,
         mineral, handling, project, owner, opinion) = row  # fmt: skip
        ret = returned.get(pid)
        due_on = _day(due) or dt.date.max
        first_at = submitted.get(pid)
        if mineral is not None and mineral not in illegal_label:
            illegal_label[mineral] = mineral_illegal(mineral)
        out.append(
            PatchRecord(
                patch_id=pid,
                code=code,
                source=source,
                batch=batch,
                year=nf,
                issued_on=_day(issued) or _day(batch_issued),
                unit=unit,
                area_m2=float(area),
                desk_farmland_m2=desk_farm,
                desk_basic_farmland_m2=desk_basic,
                restricted=bool(restricted),
                state=state,
                due_on=due_on,
                effective_due_on=running.get(pid, due_on),
                verdict=verdict,
                subtype=_text(subtype),
                violation_type=wflx,
                illegal_area_m2=_float(illegal_area),
                farmland_m2=_float(farm),
                basic_farmland_m2=_float(basic),
                is_new=_bool(is_new),
                housing=bool(housing),
                housing_class=_text(housing_class),
                housing_candidate=bool(candidate),
                mineral_verdict=_text(mineral),
                mineral_illegal=mineral is not None and illegal_label[mineral],
                mineral_handling=_text(handling),
                project_name=_text(project),
                project_owner=_text(owner),
                opinion=_text(opinion),
                submitted_on=beijing_day(first_at) if first_at else None,
                returned_after_submit=bool(first_at and ret and _after(ret[0], first_at)),
                exclusion=excluded.get(pid),
                rectification=rects.get(pid),
                case=case_of.get(pid),
                split=splits.get(pid),
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
