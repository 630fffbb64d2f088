"""The summary figures summed in SQL: one grouped query instead of a Python record per patch.

``weipian stats`` and the statistics page need only sums per unit; building 100,000
:class:`~weipian.stats.records.PatchRecord` objects to add them up in Python cost most of the
time. Here every count and area of :func:`weipian.stats.figures.figures` is a ``SUM(CASE …)``
over one row per patch (its current determination, first submission, latest return, ratio
exclusion, split role, ledger record and case), grouped by unit, 违法类型 (WFLX) and mineral
verdict. What SQL cannot know stays in Python: whether a mineral verdict label is of the 违法
class (rule data), and everything :func:`~weipian.stats.figures.finish` derives (rates, the
ratio, the warning band, the check columns). A test compares both paths on both backends.

The returned :class:`~weipian.stats.figures.Figures` are raw sums, not finished.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy import Date, String, and_, case, cast, extract, false, func, not_, or_, select, true
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from weipian.stats.figures import Figures, RatioPolicy, combine
from weipian.stats.periods import Period
from weipian.stats.records import FILED_STATES, OPEN_STATES
from weipian.storage.deadlines import RETURN_ACTIONS
from weipian.storage.stats_records import EXCLUSION_CLEAR, EXCLUSION_SET, HOUSING_FLAG, SUBMIT
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
    suggestions,
)


# --- the three date functions the backends spell differently ----------------------------------
class beijing_day(FunctionElement[dt.date]):
    """The Beijing calendar day of a stored UTC time (China keeps no daylight saving time)."""

    type = Date()
    inherit_cache = True


class month_end(FunctionElement[dt.date]):
    """The last day of a date's month."""

    type = Date()
    inherit_cache = True


class iso_day(FunctionElement[dt.date]):
    """An ISO date held as text (a JSON payload's ``due_on``) as a date."""

    type = Date()
    inherit_cache = True


@compiles(beijing_day, "sqlite")
def _beijing_day_sqlite(element: beijing_day, compiler: SQLCompiler, **kw: Any) -> str:
    return f"date({compiler.process(element.clauses, **kw)}, '+8 hours')"


@compiles(beijing_day, "postgresql")
def _beijing_day_pg(element: beijing_day, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST(timezone('UTC', {compiler.process(element.clauses, **kw)}) + interval '8 hours' AS DATE)"


@compiles(month_end, "sqlite")
def _month_end_sqlite(element: month_end, compiler: SQLCompiler, **kw: Any) -> str:
    return f"date({compiler.process(element.clauses, **kw)}, 'start of month', '+1 month', '-1 day')"


@compiles(month_end, "postgresql")
def _month_end_pg(element: month_end, compiler: SQLCompiler, **kw: Any) -> str:
    arg = compiler.process(element.clauses, **kw)
    return f"CAST(date_trunc('month', {arg}) + interval '1 month' - interval '1 day' AS DATE)"


@compiles(iso_day, "sqlite")
def _iso_day_sqlite(element: iso_day, compiler: SQLCompiler, **kw: Any) -> str:
    return f"date({compiler.process(element.clauses, **kw)})"


@compiles(iso_day, "postgresql")
def _iso_day_pg(element: iso_day, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST({compiler.process(element.clauses, **kw)} AS DATE)"


# --- one row per patch ---------------------------------------------------------------------------
def _latest(actions: tuple[str, ...]) -> Any:
    """Each patch's latest event among ``actions``: patch_id, action, at, payload."""
    last = select(func.max(events.c.id)).where(events.c.action.in_(actions)).group_by(events.c.patch_id)
    return (
        select(events.c.patch_id, events.c.action, events.c.at, events.c.payload)
        .where(events.c.id.in_(last))
        .subquery()
    )


def _per_patch(period: Period, policy: RatioPolicy) -> Any:
    """Every patch of ``period`` (all units) with what the figures read, as a subquery."""
    det = determinations
    newer = determinations.alias("newer")
    latest_version = (
        select(func.max(newer.c.version))
        .where(newer.c.patch_id == patches.c.id)
        .correlate(patches)
        .scalar_subquery()
    )
    first = (
        select(events.c.patch_id, func.min(events.c.at).label("at"))
        .where(events.c.action == SUBMIT)
        .group_by(events.c.patch_id)
        .subquery("first_submit")
    )
    ret = _latest(RETURN_ACTIONS)
    excl = _latest((EXCLUSION_SET, EXCLUSION_CLEAR))
    persons = (
        select(
            case_persons.c.case_id,
            *(
                func.sum(case((case_persons.c.outcome == o, 1), else_=0)).label(o)
                for o in ("discipline", "organisational", "judicial")
            ),
        )
        .where(case_persons.c.confirmed_by.is_not(None))
        .group_by(case_persons.c.case_id)
        .subquery("persons")
    )
    issued = func.coalesce(patches.c.issued_on, batches.c.issued_on)
    desk = patch_facts.c.farmland_m2
    filed_farmland = det.c.data["farmland_area_m2"].as_float()
    farmland = (
        func.coalesce(desk, 0.0)
        if policy.farmland_source == "desk"
        else func.coalesce(filed_farmland, desk, 0.0)
    )
    query = (
        select(
            patches.c.township_code.label("unit"),
            patches.c.area_m2.label("area"),
            patches.c.state,
            patches.c.due_on,
            issued.label("issued"),
            patches.c.id.in_(select(patch_splits.c.parent_patch_id)).label("parent"),
            patches.c.id.in_(select(patch_splits.c.child_patch_id)).label("child"),
            func.coalesce(iso_day(ret.c.payload["due_on"].as_string()), patches.c.due_on).label(
                "running_due"
            ),
            beijing_day(first.c.at).label("submitted_on"),
            func.coalesce(ret.c.at > first.c.at, false()).label("returned_after"),
            det.c.verdict,
            det.c.violation_type,
            det.c.farmland_housing.label("housing"),
            func.coalesce(cast(suggestions.c.flags, String).like(HOUSING_FLAG), false()).label("candidate"),
            func.coalesce(det.c.data["illegal_area_m2"].as_float(), patches.c.area_m2).label("illegal_area"),
            farmland.label("farmland"),
            det.c.data["is_new"].as_boolean().label("is_new"),
            det.c.data["mineral_verdict"].as_string().label("mineral"),
            det.c.data["mineral_handling"].as_string().label("handling"),
            (excl.c.action == EXCLUSION_SET).label("excluded"),
            rectifications.c.patch_id.label("rect"),
            rectifications.c.state.label("rect_state"),
            rectifications.c.demolished_m2.label("dem"),
            rectifications.c.demolished_farmland_m2.label("dem_f"),
            rectifications.c.regularised_m2.label("reg"),
            rectifications.c.regularised_farmland_m2.label("reg_f"),
            cases.c.id.label("case"),
            cases.c.filed_on.label("case_filed"),
            cases.c.closed_on.label("case_closed"),
            *(func.coalesce(persons.c[o], 0).label(o) for o in ("discipline", "organisational", "judicial")),
        )
        .join(batches, batches.c.id == patches.c.batch_id)
        .outerjoin(patch_facts, patch_facts.c.patch_id == patches.c.id)
        .outerjoin(det, (det.c.patch_id == patches.c.id) & (det.c.version == latest_version))
        .outerjoin(suggestions, suggestions.c.patch_id == patches.c.id)
        .outerjoin(first, first.c.patch_id == patches.c.id)
        .outerjoin(ret, ret.c.patch_id == patches.c.id)
        .outerjoin(excl, excl.c.patch_id == patches.c.id)
        .outerjoin(rectifications, rectifications.c.patch_id == patches.c.id)
        .outerjoin(cases, cases.c.patch_id == patches.c.id)
        .outerjoin(persons, persons.c.case_id == cases.c.id)
    )
    if period.year is not None:
        query = query.where(patches.c.year == period.year)
    if period.quarter is not None:
        months = range(3 * period.quarter - 2, 3 * period.quarter + 1)
        query = query.where(extract("month", issued).in_(list(months)))
    if period.month is not None:
        y, m = (int(x) for x in period.month.split("-"))
        query = query.where(extract("year", issued) == y, extract("month", issued) == m)
    if period.batch is not None:
        query = query.where(batches.c.name == period.batch)
    if period.source is not None:
        query = query.where(patches.c.source == period.source)
    # OFFSET 0 keeps SQLite from flattening the subquery into the next level, which would
    # evaluate each JSON extraction once per expression that reads it instead of once per patch.
    return query.offset(0).subquery("p")


def _least(a: Any, b: Any) -> Any:
    return case((a <= b, a), else_=b)


def _flag(*conds: Any) -> Any:
    """1 when every condition holds, else 0 (also when one is NULL): an integer on both backends."""
    return case((and_(*conds), 1), else_=0)


def _flags(p: Any, on: dt.date, policy: RatioPolicy) -> Any:
    """Per patch, what it adds to each figure: 0/1 flags and the areas they weigh, so the sums are
    plain ``SUM(flag)`` and ``SUM(flag * area)``. (SQLite flattens this level into the sums; a
    fence here, as below ``p``, measured slower: the flags are cheap, the JSON was not.)"""
    whole = not_(p.c.child)  # a split parent counts as issued, its parts by their areas
    active = not_(p.c.parent)
    submitted = p.c.submitted_on.is_not(None)
    filed = and_(active, p.c.verdict.is_not(None), p.c.state.in_(sorted(FILED_STATES)))
    illegal = and_(filed, p.c.verdict == "违法")
    new_construction = and_(
        filed,
        p.c.verdict.in_(sorted(policy.denominator_verdicts)),
        func.coalesce(p.c.is_new, true()) == true(),
    )
    excluded = func.coalesce(p.c.excluded, false()) == true()
    ledger = and_(illegal, p.c.rect.is_not(None))
    done = _least(p.c.dem + p.c.reg, p.c.illegal_area)
    rectified = and_(ledger, or_(p.c.rect_state == "closed", p.c.illegal_area - done <= 1e-6))
    case_ = and_(illegal, p.c.case.is_not(None))
    mineral = case((and_(filed, p.c.mineral != ""), p.c.mineral), else_=None)
    columns = {
        "unit": p.c.unit,
        "wflx": case((illegal, func.coalesce(p.c.violation_type, "未填")), else_=None),
        "mineral_key": mineral,
        "mineral_filing": _flag(mineral.is_not(None), p.c.handling == "立案"),
        "area": p.c.area,
        "illegal_area": p.c.illegal_area,
        "farmland": p.c.farmland,
        "demolished_capped": _least(p.c.dem, p.c.illegal_area),
        "demolished_farmland_capped": _least(p.c.dem_f, p.c.farmland),
        "done": done,
        "done_farmland": _least(p.c.dem_f + p.c.reg_f, p.c.farmland),
        "whole": _flag(whole),
        "overdue": _flag(active, p.c.state.in_(sorted(OPEN_STATES)), p.c.running_due < on),
        "due": _flag(active, or_(submitted, p.c.due_on < on)),
        "on_time": _flag(active, submitted, p.c.submitted_on <= p.c.due_on),
        "closure_issued": _flag(active, p.c.issued.is_not(None)),
        "closure_done": _flag(
            active,
            p.c.issued.is_not(None),
            submitted,
            p.c.submitted_on <= month_end(p.c.issued),
            not_(p.c.returned_after),
        ),
        "housing_candidate": _flag(active, p.c.candidate, not_(and_(filed, p.c.housing))),
        "filed": _flag(filed),
        "legal": _flag(filed, p.c.verdict == "合法"),
        "housing": _flag(filed, p.c.housing),
        "excluded": _flag(new_construction, excluded),
        "denominator": _flag(new_construction, not_(excluded)),
        "illegal": _flag(illegal),
        "illegal_new": _flag(illegal, p.c.is_new == true()),
        "numerator": _flag(illegal, p.c.is_new == true(), not_(excluded)),
        "illegal_stock": _flag(illegal, p.c.is_new == false()),
        "ledger": _flag(ledger),
        "closed_out": _flag(ledger, p.c.rect_state == "closed"),
        "rectified": _flag(rectified),
        "combined": _flag(rectified, p.c.dem > 0, p.c.reg > 0),
        "demolished": _flag(rectified, p.c.dem > 0, not_(p.c.reg > 0)),
        "regularised": _flag(rectified, p.c.reg > 0, not_(p.c.dem > 0)),
        "case": _flag(case_),
        "case_filed": _flag(case_, p.c.case_filed.is_not(None)),
        "case_closed": _flag(case_, p.c.case_closed.is_not(None)),
        **{o: case((case_, p.c[o]), else_=0) for o in ("discipline", "organisational", "judicial")},
    }
    return select(*(expr.label(name) for name, expr in columns.items())).subquery("f")


def _sums(f: Any) -> dict[str, Any]:
    """Each raw figure of :class:`Figures` as a SUM over the per-patch flags ``f``."""

    def n(flag: str) -> Any:
        return func.sum(f.c[flag])

    def m2(flag: str, area: str) -> Any:
        return func.sum(f.c[flag] * f.c[area])

    return {
        "patches": n("whole"),
        "area_m2": m2("whole", "area"),
        "overdue": n("overdue"),
        "due": n("due"),
        "on_time": n("on_time"),
        "closure_issued": n("closure_issued"),
        "closure_done": n("closure_done"),
        "housing_candidates": n("housing_candidate"),
        "determined": n("filed"),
        "legal": n("legal"),
        "housing": n("housing"),
        "housing_area_m2": m2("housing", "area"),
        "excluded": n("excluded"),
        "excluded_farmland_m2": m2("excluded", "farmland"),
        "new_construction_farmland_m2": m2("denominator", "farmland"),
        "illegal": n("illegal"),
        "illegal_area_m2": m2("illegal", "illegal_area"),
        "illegal_farmland_all_m2": m2("illegal", "farmland"),
        "illegal_new": n("illegal_new"),
        "illegal_farmland_m2": m2("numerator", "farmland"),
        "illegal_stock": n("illegal_stock"),
        "in_ledger": n("ledger"),
        "closed_out": n("closed_out"),
        "demolished_area_m2": m2("ledger", "demolished_capped"),
        "demolished_farmland_m2": m2("ledger", "demolished_farmland_capped"),
        "rectified_area_m2": m2("ledger", "done"),
        "rectified_farmland_m2": m2("ledger", "done_farmland"),
        "rectified": n("rectified"),
        "combined": n("combined"),
        "demolished": n("demolished"),
        "regularised": n("regularised"),
        "cases_filed": n("case_filed"),
        "cases_closed": n("case_closed"),
        **{o: n(o) for o in ("discipline", "organisational", "judicial")},
    }


def unit_sums(
    session: Session,
    *,
    period: Period,
    on: dt.date,
    policy: RatioPolicy,
    mineral_illegal: Callable[[str], bool],
) -> dict[str | None, Figures]:
    """Raw (unfinished) figures per township code of every patch in ``period`` (``period.unit``
    is not applied: units are ranked among all). ``mineral_illegal`` says whether a mineral
    verdict label is of the 违法 class (rule data)."""
    f = _flags(_per_patch(period, policy), on, policy)
    sums = _sums(f)
    query = select(
        f.c.unit, f.c.wflx, f.c.mineral_key, func.sum(f.c.mineral_filing).label("mineral_filing"),
        *(expr.label(name) for name, expr in sums.items()),
    ).group_by(f.c.unit, f.c.wflx, f.c.mineral_key)  # fmt: skip
    parts: dict[str | None, list[Figures]] = {}
    for row in session.execute(query).mappings():
        figures = Figures()
        for name in sums:
            setattr(figures, name, _number(row[name], name))
        if row["wflx"] is not None:
            figures.by_violation_type = {row["wflx"]: [figures.illegal, figures.illegal_area_m2]}
        label = row["mineral_key"]
        if label is not None:
            count = figures.determined  # the group's filed patches all carry this mineral verdict
            figures.mineral = count
            if mineral_illegal(label):
                figures.mineral_illegal = count
                figures.mineral_case_filing = int(row["mineral_filing"])
        parts.setdefault(row["unit"], []).append(figures)
    return {unit: combine(fs) for unit, fs in parts.items()}


_BLANK = Figures()


def _number(v: Any, name: str) -> int | float:
    """A count as int, an area as float, whatever type the backend's SUM gave (PostgreSQL sums
    bigints as numeric)."""
    kind: type[int] | type[float] = type(getattr(_BLANK, name))
    return kind(v or 0)
