"""The patch list: filters, JCBH search, paging; the same rows for the xlsx export."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import asdict, dataclass, replace
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import ColumnElement, Row, Select, func, select
from sqlalchemy.orm import Session

from weipian.domain.workflow import TO_VERIFY, TO_VERIFY_STATES
from weipian.services.access import Scope
from weipian.services.deadlines import OPEN, effective_due, overdue, return_deadlines, running_due
from weipian.services.lists import priority_labels
from weipian.services.queries.scope import visible
from weipian.storage.patches import withheld_from_export
from weipian.storage.tables import batches, determinations, patch_facts, patches, suggestions, townships

PAGE_SIZE = 50


@dataclass(frozen=True)
class PatchFilter:
    """What the list is narrowed to; blank means no narrowing."""

    batch: int | None = None
    source: str | None = None
    township: str | None = None
    state: str | None = None
    suggestion: str | None = None
    overdue: bool = False
    q: str | None = None  # part of a JCBH
    page: int = 1

    def query_string(self, **override: Any) -> str:
        """The filter as URL parameters (``page`` and others overridable), blanks left out."""
        values = {**asdict(replace(self, **override))}
        values["overdue"] = "1" if values["overdue"] else None
        if values["page"] == 1:
            values["page"] = None
        return urlencode({k: v for k, v in values.items() if v not in (None, "")})


@dataclass(frozen=True, slots=True)
class ListedPatch:
    """A patch as the lists show it: one row of :func:`list_query`, with the 重点关注 labels of
    its suggestion's flags in place of the flags."""

    id: int
    patch_code: str  # JCBH
    source: str
    year: int
    admin_code: str  # XZQDM as delivered
    township_code: str | None
    township_name: str | None
    change_type: str | None  # TBLX
    area_m2: float  # JCMJ
    state: str  # ZT
    due_on: dt.date  # the patch's own deadline (the running one: ``PatchRow.due``)
    before_date: str | None  # QSX
    after_date: str | None  # HSX
    batch_name: str
    suggestion: str | None  # YPJG
    priority: bool  # patches.priority, the list's first sort key
    priority_labels: tuple[str, ...]  # the badges of that priority (重点关注)
    determination: str | None  # PDJG of the current version
    violation_type: str | None  # WFLX
    farmland_m2: float | None
    basic_farmland_m2: float | None
    stable_farmland_m2: float | None
    restricted: bool
    approval_no: str | None  # PZWH

    @staticmethod
    def values(r: Row[Any]) -> dict[str, Any]:
        """The fields of a :func:`list_query` row, by name (for this class and those built on it)."""
        values = r._asdict()
        values["priority_labels"] = tuple(priority_labels(values.pop("flags")))
        return {name: values[name] for name in ListedPatch.__dataclass_fields__}


@dataclass(frozen=True, slots=True)
class PatchRow(ListedPatch):
    """A row of the patch list (and the dashboard's due soon): with the running deadline."""

    due: dt.date  # the deadline that runs now (services.deadlines.effective_due)
    days_left: int  # to ``due`` from today; negative when late


@dataclass(frozen=True, slots=True)
class PatchPage:
    rows: list[PatchRow]
    total: int
    page: int
    pages: int


def current_det() -> tuple[Any, ColumnElement[bool]]:
    """``determinations`` aliased as the current (highest) version, and its join condition.

    The version is found per patch through the (patch_id, version) unique index, so joining it
    costs an index probe a row; a grouped subquery instead is scanned whole for each row when
    SQLite orders the result.
    """
    det = determinations.alias("det")
    newer = determinations.alias("newer")
    latest = (
        select(func.max(newer.c.version))
        .where(newer.c.patch_id == patches.c.id)
        .correlate(patches)
        .scalar_subquery()
    )
    return det, (det.c.patch_id == patches.c.id) & (det.c.version == latest)


def list_query() -> Select[Any]:
    det, on_current = current_det()
    return (
        select(
            patches.c.id,
            patches.c.patch_code,
            patches.c.source,
            patches.c.year,
            patches.c.admin_code,
            patches.c.township_code,
            townships.c.name.label("township_name"),
            patches.c.change_type,
            patches.c.area_m2,
            patches.c.state,
            patches.c.due_on,
            patches.c.before_date,
            patches.c.after_date,
            batches.c.name.label("batch_name"),
            suggestions.c.verdict.label("suggestion"),
            suggestions.c.flags,
            patches.c.priority,
            det.c.verdict.label("determination"),
            det.c.violation_type,
            patch_facts.c.farmland_m2,
            patch_facts.c.basic_farmland_m2,
            patch_facts.c.stable_farmland_m2,
            patches.c.restricted,
            patch_facts.c.approval_no,
        )
        .select_from(patches)
        .join(batches, batches.c.id == patches.c.batch_id)
        .outerjoin(townships, townships.c.code == patches.c.township_code)
        .outerjoin(suggestions, suggestions.c.patch_id == patches.c.id)
        .outerjoin(det, on_current)
        .outerjoin(patch_facts, patch_facts.c.patch_id == patches.c.id)
    )


def _filtered(query: Select[Any], f: PatchFilter, scope: Scope, today: dt.date) -> Select[Any]:
    query = visible(query, scope)
    if f.batch is not None:
        query = query.where(patches.c.batch_id == f.batch)
    if f.source:
        query = query.where(patches.c.source == f.source)
    if f.township:
        query = query.where(patches.c.township_code == f.township)
    if f.state == TO_VERIFY:
        query = query.where(patches.c.state.in_([s.value for s in TO_VERIFY_STATES]))
    elif f.state:
        query = query.where(patches.c.state == f.state)
    if f.suggestion:
        query = query.where(suggestions.c.verdict == f.suggestion)
    if f.q:
        pattern = "%" + f.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(func.upper(patches.c.patch_code).like(pattern.upper(), escape="\\"))
    if f.overdue:
        query = query.where(overdue(today))
    return query


def patch_row(r: Row[Any], returns: dict[int, dt.date], today: dt.date) -> PatchRow:
    """A :func:`list_query` row with its running deadline (``returns``: the patches' latest
    return deadlines, ``services.deadlines.return_deadlines``)."""
    due = effective_due(r, returns)
    return PatchRow(**ListedPatch.values(r), due=due, days_left=(due - today).days)


def ordered(query: Select[Any]) -> Select[Any]:
    """``query`` (from ``patches``) in list order: priority patches (重点关注) first, then by the
    running deadline, earliest first; ties by JCBH and id, so paging is stable. The same order on
    SQLite and PostgreSQL: the deadline is compared as ISO date text."""
    returned, due = running_due()
    return query.outerjoin(returned, returned.c.patch_id == patches.c.id).order_by(
        patches.c.priority.desc(), due, patches.c.patch_code, patches.c.id
    )


def _ids_query(f: PatchFilter) -> Select[Any]:
    """The filtered patches' ids alone: the list's other tables join one row or none per patch
    (batches always one), so they change neither the count nor the order, and the count and the
    page walk an index of ``patches`` instead of the joined rows."""
    query = select(patches.c.id).select_from(patches)
    if f.suggestion:
        query = query.join(suggestions, suggestions.c.patch_id == patches.c.id)
    return query


def _page_ids(session: Session, ids: Select[Any], offset: int, limit: int) -> list[int]:
    """The ids of rows ``offset`` … ``offset + limit`` of ``ids`` in :func:`ordered` order, read off
    the (…, priority, due_on, patch_code) indexes instead of sorting every filtered patch.

    Outside the few patches whose correction deadline runs (open and returned, set ``back``) the
    running deadline is ``due_on``: each priority group is read in index order, and ``back`` is
    merged in by its own deadline.
    """
    returned, _ = running_due()
    back = session.execute(
        ids.with_only_columns(patches.c.id, patches.c.priority, returned.c.due, patches.c.patch_code)
        .join(returned, returned.c.patch_id == patches.c.id)
        .where(patches.c.state.in_(OPEN), returned.c.due.is_not(None))
    ).all()
    group = ids.with_only_columns(patches.c.id, patches.c.priority, patches.c.due_on, patches.c.patch_code)
    in_order = (patches.c.due_on, patches.c.patch_code, patches.c.id)
    if not back:  # the common case: two index walks with OFFSET, as many rows as the page
        first = int(session.scalar(
            select(func.count()).select_from(ids.where(patches.c.priority.is_(True)).subquery())
        ) or 0)  # fmt: skip
        out: list[int] = []
        if offset < first:
            query = group.where(patches.c.priority.is_(True)).order_by(*in_order).offset(offset).limit(limit)
            out = [r.id for r in session.execute(query)]
        if len(out) < limit:
            query = group.where(patches.c.priority.is_(False)).order_by(*in_order)
            query = query.offset(max(0, offset - first)).limit(limit - len(out))
            out += [r.id for r in session.execute(query)]
        return out
    skip = {r.id for r in back}
    keyed = [(not r.priority, dt.date.fromisoformat(r.due), r.patch_code, r.id) for r in back]
    for flag in (True, False):
        query = (
            group.where(patches.c.priority.is_(flag)).order_by(*in_order).limit(offset + limit + len(skip))
        )
        keyed += [
            (not r.priority, r.due_on, r.patch_code, r.id) for r in session.execute(query) if r.id not in skip
        ]
    keyed.sort()
    return [k[3] for k in keyed[offset : offset + limit]]


def list_patches(session: Session, f: PatchFilter, *, scope: Scope, today: dt.date) -> PatchPage:
    """One page (PAGE_SIZE rows) of the filtered list, in :func:`ordered` order."""
    ids = _filtered(_ids_query(f), f, scope, today)
    total = int(session.scalar(select(func.count()).select_from(ids.subquery())) or 0)
    pages = max(1, math.ceil(total / PAGE_SIZE))
    page = min(max(1, f.page), pages)
    page_ids = _page_ids(session, ids, (page - 1) * PAGE_SIZE, PAGE_SIZE)
    if not page_ids:
        return PatchPage([], total, page, pages)
    found = {r.id: r for r in session.execute(list_query().where(patches.c.id.in_(page_ids)))}
    returns = return_deadlines(session, page_ids)
    return PatchPage([patch_row(found[i], returns, today) for i in page_ids], total, page, pages)


def count_patches(session: Session, f: PatchFilter, *, scope: Scope, today: dt.date) -> int:
    query = _filtered(_ids_query(f), f, scope, today)
    return int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)


def count_restricted(session: Session, f: PatchFilter, *, scope: Scope, today: dt.date) -> int:
    """How many of the filtered patches are military-restricted (listed, never exported)."""
    if not scope.restricted:  # roles that never see them: the list and the export agree
        return 0
    query = (
        _filtered(list_query(), f, scope, today)
        .where(patch_facts.c.restricted.is_(True))
        .with_only_columns(patches.c.id)
    )
    return int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)


def export_ids(session: Session, f: PatchFilter, *, scope: Scope, today: dt.date) -> list[int]:
    """Ids of the filtered list's patches in list order, less military-restricted ones and those
    never checked against a military layer (never exported). The export reads its columns by id
    (``result_columns``), so no deadline or joined column is computed here."""
    query = _filtered(_ids_query(f), f, scope, today).where(~withheld_from_export())
    return [int(i) for i in session.scalars(ordered(query))]


def filter_choices(session: Session, scope: Scope) -> dict[str, list[Any]]:
    """Options of the filter drop-downs: batches and townships (a township user's own only)."""
    batch_rows = session.execute(
        select(batches.c.id, batches.c.name, batches.c.source).order_by(batches.c.issued_on.desc())
    ).all()
    town_query = select(townships.c.code, townships.c.name).order_by(townships.c.code)
    if scope.townships is not None:
        town_query = town_query.where(townships.c.code.in_(sorted(scope.townships)))
    return {"batches": list(batch_rows), "townships": list(session.execute(town_query))}
