"""A small JSON API over the same scoped queries (the map and scripts build on it)."""

from __future__ import annotations

import dataclasses
from typing import Any

from fastapi import APIRouter

from weipian.services.queries.detail import patch_detail
from weipian.services.queries.patches import PatchRow, list_patches
from weipian.web.deps import CurrentUser, FilterDep, ScopeDep, StoreDep, Today
from weipian.web.schemas import EventOut, PatchDetailOut, PatchOut, PatchPageOut

router = APIRouter(prefix="/api")


def _patch(r: PatchRow) -> PatchOut:
    return PatchOut(
        id=r.id, JCBH=r.patch_code, source=r.source, year=r.year, XZQDM=r.township_code or r.admin_code,
        XZQMC=r.township_name, TBLX=r.change_type, JCMJ=round(r.area_m2, 2), ZT=r.state, YPJG=r.suggestion,
        PDJG=r.determination, WFLX=r.violation_type, due_on=r.due,
    )  # fmt: skip


@router.get("/patches")
def api_patches(
    user: CurrentUser, scope: ScopeDep, store: StoreDep, today: Today, f: FilterDep
) -> PatchPageOut:
    with store.reading() as session:
        page = list_patches(session, f, scope=scope, today=today)
    return PatchPageOut(
        total=page.total, page=page.page, pages=page.pages, patches=[_patch(r) for r in page.rows]
    )


def _plain(row: Any, drop: tuple[str, ...] = ()) -> dict[str, Any] | None:
    if row is None:
        return None
    return {k: v for k, v in dataclasses.asdict(row).items() if k not in drop}


@router.get("/patches/{patch_id}")
def api_patch(
    patch_id: int, user: CurrentUser, scope: ScopeDep, store: StoreDep, today: Today
) -> PatchDetailOut:
    with store.reading() as session:
        d = patch_detail(session, patch_id, scope=scope, today=today)
    p = d.patch
    return PatchDetailOut(
        id=p.id, JCBH=p.patch_code, source=p.source, year=p.year, XZQDM=p.township_code or p.admin_code,
        XZQMC=d.township_name or p.admin_name, TBLX=p.change_type, JCMJ=round(p.area_m2, 2), ZT=p.state,
        YPJG=d.suggestion.verdict if d.suggestion else None,
        PDJG=d.determination.verdict if d.determination else None,
        WFLX=d.determination.violation_type if d.determination else None,
        due_on=d.due, LZB=p.lon, BZB=p.lat, QSX=p.before_date, HSX=p.after_date, batch=d.batch_name,
        facts=_plain(d.facts, ("computed_at",)),
        suggestion=_plain(d.suggestion, ("trace", "judged_at")),
        determination=d.determination.data if d.determination else None,
        events=[EventOut(**{k: getattr(e, k) for k in EventOut.model_fields}) for e in d.events],
    )  # fmt: skip
