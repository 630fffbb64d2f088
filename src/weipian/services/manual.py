"""Registering one self-found case (自主发现) by hand: a drawn or pasted polygon.

The case goes through package intake itself (:func:`weipian.services.intake.import_table`):
the same reprojection to CGCS2000, county-box and coordinate checks, ellipsoidal area, township
by largest share, military restriction and identity check. What is added here is only what a
hand-made outline needs on top: a clean JCBH, an outline that does not cross itself (it is
refused for redrawing, not silently mended), a size cap, one JCBH per source whatever the
township or year, a 市局 account, and a ``patch.register`` event written in the same
transaction as the patch.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import shapely
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from weipian.analysis.area import AreaMethod
from weipian.config import Settings
from weipian.domain import clock
from weipian.domain.roles import Actor
from weipian.domain.sources import Source
from weipian.domain.workflow import Action, State
from weipian.errors import Conflict, InputError, PermissionDenied
from weipian.io.manual import manual_table, parse_coordinates, parse_geojson
from weipian.services.intake import ImportSummary, IntakeOptions, import_table
from weipian.storage.store import Store
from weipian.storage.tables import patches, townships
from weipian.storage.workflow import append_event

# A hand-drawn case larger than this is a slip of the mouse or a pasted county outline, not one
# violation ([DESIGN]: 10 km², far above any single patch the bureau has seen).
MAX_AREA_M2 = 10_000_000.0
# JCBH of a self-found case: letters, digits, Chinese, "-" and "_" (no markup, no formula signs).
JCBH_PATTERN = re.compile(r"[0-9A-Za-z\u4e00-\u9fff_-]{1,64}")
NOTE_MAX_CHARS = 500
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass(frozen=True)
class ManualCase:
    """What a person enters: JCBH, the outline as text, and a few optional facts."""

    jcbh: str
    geometry: str  # GeoJSON, or coordinate pairs "x y, x y, …"
    crs: str | None = None  # e.g. "EPSG:4527"; None: declared in the GeoJSON or inferred
    batch: str | None = None  # default "<year>年自主发现"
    change_type: str | None = None  # TBLX
    found_on: dt.date | None = None  # 发现日期: the deadline runs from it (default today)
    note: str | None = None  # 发现情况说明


@dataclass(frozen=True)
class Registered:
    """The stored case, for the CLI's JSON and the web's confirmation."""

    patch_id: int
    jcbh: str
    batch: str
    source: str
    township_code: str | None
    township_name: str | None
    area_m2: float
    restricted: bool
    due_on: dt.date
    linked: int
    crs: str
    crs_inferred: bool


def manual_options(s: Settings, today: dt.date) -> IntakeOptions:
    """The intake settings a hand-registered case is checked with, exactly as a package's."""
    method = AreaMethod(s.area_method, s.gauss_kruger_epsg if s.area_method == "gauss_kruger" else None)
    return IntakeOptions(
        source=Source.self,
        verification_days=s.verification_days,
        same_place_min_overlap=s.same_place_min_overlap,
        area_method=method,
        region=s.county_bbox,
        today=today,
    )


def register_manual(
    store: Store,
    case: ManualCase,
    options: IntakeOptions,
    *,
    actor: Actor,
    change_types: Mapping[str, str] | None = None,
) -> Registered:
    """Register ``case`` as a patch of a self-found batch, all or nothing; ``change_types``
    (TBLX code → name) is the dictionary a given TBLX must belong to."""
    if not actor.may(Action.patch_register, None):
        raise PermissionDenied("manual.forbidden")
    jcbh, attrs = _checked_fields(case, change_types)
    text = case.geometry.strip()
    if text.startswith(("{", "[")):
        geom, declared = parse_geojson(text)
    else:
        geom, declared = parse_coordinates(text), None
    if not shapely.is_empty(geom) and not shapely.is_valid(geom):
        raise InputError("manual.geometry_invalid", reason=_why_invalid(geom))
    crs = (case.crs or "").strip() or declared
    try:
        table = manual_table(geom, attrs, crs=crs, region=options.region, source_text=text)
    except InputError as exc:  # the package wording names a .prj file: say it for a pasted outline
        if exc.code == "crs.ambiguous":
            candidates = exc.params.get("candidates", "无")
            code = "manual.crs_unrecognised" if candidates == "无" else "manual.crs_ambiguous"
            raise InputError(code, candidates=candidates) from exc
        if exc.code == "crs.unknown":
            raise InputError("manual.crs_unknown", crs=str(crs)[:40]) from exc
        raise
    issued = case.found_on or options.today
    batch = (case.batch or "").strip() or f"{issued.year}年自主发现"
    if len(batch) > 128 or _CONTROL.search(batch):
        raise InputError("manual.batch_invalid")
    options = replace(options, source=Source.self, batch=batch, issued=issued)
    stored: list[int] = []

    def after_write(session: Session, ids: list[int]) -> None:
        (patch_id,) = ids
        row = session.execute(select(patches).where(patches.c.id == patch_id)).one()
        if row.area_m2 > MAX_AREA_M2:
            raise InputError("manual.too_large", area_m2=round(row.area_m2), limit_m2=round(MAX_AREA_M2))
        same = session.scalar(
            select(func.count()).where(
                patches.c.source == Source.self.value, patches.c.patch_code == jcbh, patches.c.id != patch_id
            )
        )
        if same:
            raise Conflict("manual.exists", jcbh=jcbh)
        payload: dict[str, Any] = {"jcbh": jcbh, "batch": batch, "area_m2": round(row.area_m2, 2)}
        if attrs.get("BZ"):
            payload["note"] = attrs["BZ"]
        if actor.via:
            payload["via"] = actor.via
        append_event(
            session, patch_id=patch_id, action=Action.patch_register.value, actor=actor.name,
            role=actor.role.value, state_before=State.issued.value, state_after=State.issued.value,
            payload=payload, at=clock.now(),
        )  # fmt: skip
        stored.append(patch_id)

    try:
        summary = import_table(store, table, options, append=True, after_write=after_write)
    except InputError as exc:
        raise _as_manual(exc, jcbh) from exc
    return _registered(store, stored[0], summary, table.crs, table.crs_inferred)


def _checked_fields(case: ManualCase, change_types: Mapping[str, str] | None) -> tuple[str, dict[str, Any]]:
    jcbh = case.jcbh.strip()
    if not JCBH_PATTERN.fullmatch(jcbh):
        raise InputError("manual.jcbh_invalid", jcbh=jcbh[:70])
    attrs: dict[str, Any] = {"JCBH": jcbh}
    tblx = (case.change_type or "").strip()
    if tblx:
        if change_types is not None and tblx not in change_types:
            known = "、".join(f"{c} {n}" for c, n in change_types.items())
            raise InputError("manual.change_type_unknown", code=tblx[:16], known=known)
        attrs["TBLX"] = tblx
    if case.found_on is not None:
        attrs["XFSJ"] = case.found_on.strftime("%Y%m%d")
    note = (case.note or "").strip()
    if len(note) > NOTE_MAX_CHARS or _CONTROL.search(note):
        raise InputError("manual.note_invalid", limit=NOTE_MAX_CHARS)
    if note:
        attrs["BZ"] = note
    return jcbh, attrs


def _why_invalid(geom: Any) -> str:
    reason = str(shapely.is_valid_reason(geom))
    return "边界自相交" if "Self-intersection" in reason or "Ring Self" in reason else "图形不是有效的面"


def _as_manual(exc: InputError, jcbh: str) -> InputError | Conflict:
    """A package-level refusal of the one row, said as the hand-registered case's own."""
    if exc.code == "crs.transform_failed":
        return InputError("manual.coordinates_invalid", jcbh=jcbh)
    rejected = exc.params.get("rejected") if exc.code == "package.all_rejected" else None
    if not rejected:
        return exc
    first = rejected[0]
    code = "manual." + first.code.removeprefix("row.")
    if code == "manual.exists":
        return Conflict(code, jcbh=jcbh)
    return InputError(code, jcbh=jcbh, **first.params)


def _registered(
    store: Store, patch_id: int, summary: ImportSummary, crs: str, crs_inferred: bool
) -> Registered:
    with store.reading() as session:
        row = session.execute(
            select(patches, townships.c.name.label("township_name"))
            .outerjoin(townships, townships.c.code == patches.c.township_code)
            .where(patches.c.id == patch_id)
        ).one()
    return Registered(
        patch_id=patch_id, jcbh=row.patch_code, batch=summary.batch, source=summary.source,
        township_code=row.township_code, township_name=row.township_name, area_m2=round(row.area_m2, 2),
        restricted=bool(row.restricted), due_on=row.due_on, linked=summary.linked, crs=crs,
        crs_inferred=crs_inferred,
    )  # fmt: skip
