"""图斑拆分: cut a patch into parts that tile it, show a split, withdraw it.

A part is a patch of its own (JCBH-1, JCBH-2 …, same source, year, XZQDM and batch) with its own
ellipsoidal area, township (largest share), determination and rectification ledger; the parent
(被拆分) keeps its row, takes no step of its own and follows its parts' states (``split.derive``,
storage.workflow). Statistics count the parent once as issued and the parts for everything
determined (stats.figures). One transaction: parts, links and the parent's ``split.create``
event are written together or not at all. Withdrawing (``split.undo``) is possible while nothing
was recorded on any part; the parts' rows then go, the parent's events stay.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from sqlalchemy.orm import Session

from weipian.analysis.area import AreaMethod
from weipian.analysis.match import largest_share
from weipian.analysis.split import TiledParts, check_parts
from weipian.domain.layers import LayerKind
from weipian.domain.roles import Actor
from weipian.domain.split import SPLIT_STATUS_DONE, initial_part_state, part_code
from weipian.domain.workflow import STATE_LABELS, Action, State, advance
from weipian.errors import Conflict, NotFound, PermissionDenied
from weipian.io.split_parts import read_parts
from weipian.storage import splits as q
from weipian.storage.layers import current_layer, load_features
from weipian.storage.patches import patch_by_id
from weipian.storage.records import Patch
from weipian.storage.townships import township_names
from weipian.storage.workflow import append_event, current_determination


@dataclass(frozen=True)
class SplitPart:
    """One part of a split, as pages and ``split show`` list it."""

    patch_id: int
    code: str
    part_no: int
    area_m2: float
    state: str
    township_code: str | None
    township_name: str | None
    verdict: str | None  # PDJG of its current determination (draft or filed)
    geometry: dict[str, Any]  # GeoJSON, EPSG:4490

    @property
    def state_label(self) -> str:
        return STATE_LABELS[State(self.state)]


@dataclass(frozen=True)
class SplitInfo:
    """A split patch (被拆分) and its parts (拆分)."""

    parent_id: int
    parent_code: str
    parent_state: str
    area_m2: float
    status: str  # 拆分状态
    created_by: str
    created_at: dt.datetime
    parts: tuple[SplitPart, ...]

    @property
    def parts_area_m2(self) -> float:
        return sum(p.area_m2 for p in self.parts)

    @property
    def undoable(self) -> bool:
        """Nothing decided on any part yet (the service checks the full rule)."""
        return all(p.verdict is None for p in self.parts)

    def as_json(self, *, with_geometry: bool = False) -> dict[str, Any]:
        return {
            "JCBH": self.parent_code,
            "state": self.parent_state,
            "state_label": STATE_LABELS[State(self.parent_state)],
            "area_m2": round(self.area_m2, 2),
            "parts_area_m2": round(self.parts_area_m2, 2),
            "split_status": self.status,
            "created_by": self.created_by,
            "created_at": self.created_at.isoformat(),
            "parts": [
                {
                    "JCBH": p.code, "part_no": p.part_no, "area_m2": round(p.area_m2, 2), "state": p.state,
                    "state_label": p.state_label, "township": p.township_code, "township_name": p.township_name,
                    "verdict": p.verdict, **({"geometry": p.geometry} if with_geometry else {}),
                }
                for p in self.parts
            ],
        }  # fmt: skip


def _patch(session: Session, patch_id: int, actor: Actor | None) -> Patch:
    row = patch_by_id(session, patch_id)
    if row is None or (actor is not None and row.restricted and not actor.role.is_bureau):
        raise NotFound("patch.no_such_id", id=patch_id)
    return row


def _may(actor: Actor, action: Action, patch: Patch) -> None:
    if not actor.may(action, patch.township_code):
        raise PermissionDenied("permission.denied", action=action.value, code=patch.patch_code)


def _townships(
    session: Session, geoms: list[shapely.Geometry], fallback: str | None
) -> list[tuple[str | None, float | None]]:
    """Township (largest share) of each part; the parent's where no township layer covers it."""
    layer = current_layer(session, LayerKind.townships.value)
    if layer is None:
        return [(fallback, None)] * len(geoms)
    arr = np.array(geoms, dtype=object)
    zones = load_features(session, layer.id, tuple(shapely.total_bounds(arr)), with_attrs=False)
    known = township_names(session)
    best, share = largest_share(arr, zones.geoms)
    out: list[tuple[str | None, float | None]] = []
    for b, s in zip(best.tolist(), share.tolist(), strict=True):
        code = zones.codes[b] if b >= 0 else None
        out.append((code, float(s)) if code in known else (fallback, None))
    return out


def _multi(geom: shapely.Geometry) -> shapely.Geometry:
    return shapely.MultiPolygon([geom]) if geom.geom_type == "Polygon" else geom


def _part_values(parent: Patch, geom: shapely.Geometry, area: float, code: str, town: tuple[str | None, float | None], state: State, due: dt.date) -> dict[str, Any]:  # fmt: skip
    centre = shapely.point_on_surface(geom)
    minx, miny, maxx, maxy = geom.bounds
    return {
        "batch_id": parent.batch_id, "source": parent.source, "year": parent.year,
        "admin_code": parent.admin_code, "patch_code": code, "admin_name": parent.admin_name,
        "township_code": town[0], "township_share": town[1], "change_type": parent.change_type,
        "before_date": parent.before_date, "after_date": parent.after_date,
        "lon": centre.x, "lat": centre.y, "area_m2": area, "area_method": parent.area_method,
        "delivered_area_m2": None, "issued_on": parent.issued_on,
        "prior_patch_code": parent.prior_patch_code, "prior_change_type": parent.prior_change_type,
        "same_place_codes_delivered": parent.same_place_codes_delivered,
        "same_place_codes": parent.same_place_codes, "is_mining": parent.is_mining,
        "attrs": {"split_parent": parent.patch_code}, "source_row": parent.source_row, "repaired": False,
        "state": state.value, "due_on": due, "wkb": shapely.to_wkb(_multi(geom)),
        "minx": minx, "miny": miny, "maxx": maxx, "maxy": maxy,
        # A part lies inside its parent: military restriction is the parent's, as checked.
        "restricted": parent.restricted, "military_layer_id": parent.military_layer_id,
    }  # fmt: skip


def split_patch(session: Session, patch_id: int, data: bytes, *, actor: Actor, at: dt.datetime) -> SplitInfo:
    """Cut patch ``patch_id`` into the parts of the GeoJSON ``data`` (see module doc).

    Refuses, before anything is written: another township's patch or a role without the right
    (``permission.denied``), a part or a patch already split (``split.nested`` / ``split.exists``),
    a state past the township's work (``workflow.refused``), and parts that do not tile the patch
    (``split.*`` from io.split_parts and analysis.split).
    """
    parent = _patch(session, patch_id, actor)
    _may(actor, Action.split_create, parent)
    if q.parent_of(session, parent.id) is not None:
        raise Conflict("split.nested", code=parent.patch_code)
    if q.is_parent(session, parent.id):
        raise Conflict("split.exists", code=parent.patch_code)
    advance(parent.state, Action.split_create)
    tiled: TiledParts = check_parts(
        shapely.from_wkb(parent.wkb), read_parts(data), AreaMethod.parse(parent.area_method)
    )
    codes = [part_code(parent.patch_code, n) for n in range(1, len(tiled.geoms) + 1)]
    taken = q.code_taken(session, parent.source, parent.year, parent.admin_code, codes)
    if taken:
        raise Conflict("split.code_taken", code=parent.patch_code, taken="、".join(taken))
    state = initial_part_state(parent.state)
    due = (
        q.return_due(session, parent.id) if parent.state in (State.county_returned, State.returned) else None
    )
    towns = _townships(session, list(tiled.geoms), parent.township_code)
    listed = []
    for n, (geom, area, code, town) in enumerate(
        zip(tiled.geoms, tiled.areas_m2, codes, towns, strict=True), 1
    ):
        child = q.insert_part(
            session, _part_values(parent, geom, area, code, town, state, due or parent.due_on)
        )
        q.link_part(session, parent_id=parent.id, child_id=child, part_no=n, status=SPLIT_STATUS_DONE,
                    by=actor.name, at=at)  # fmt: skip
        listed.append({"JCBH": code, "area_m2": round(area, 2), "township": town[0]})
    payload: dict[str, Any] = {
        "parts": listed, "gap_m2": round(tiled.gap_m2, 4), "overlap_m2": round(tiled.overlap_m2, 4),
        "tolerance_m2": round(tiled.tolerance_m2, 4),
    }  # fmt: skip
    if actor.via:
        payload["via"] = actor.via
    append_event(
        session, patch_id=parent.id, action=Action.split_create.value, actor=actor.name,
        role=actor.role.value, state_before=parent.state, state_after=parent.state, payload=payload, at=at,
    )  # fmt: skip
    info = split_of(session, parent.id)
    assert info is not None
    return info


def undo_split(session: Session, patch_id: int, *, actor: Actor, at: dt.datetime) -> tuple[str, list[str]]:
    """Withdraw the split of ``patch_id`` (its parent or one of its parts) while nothing was
    recorded on any part; returns the parent's code and the removed parts' codes."""
    row = _patch(session, patch_id, actor)
    parent = _patch(session, q.parent_of(session, row.id) or row.id, actor)
    parts = q.parts_of(session, parent.id)
    if not parts:
        raise NotFound("split.none", code=row.patch_code)
    _may(actor, Action.split_undo, parent)
    advance(parent.state, Action.split_undo)
    worked = set(q.worked_parts(session, [p.id for p in parts]))
    if worked:
        first = next(p.patch_code for p in parts if p.id in worked)
        raise Conflict("split.parts_worked", code=parent.patch_code, part=first)
    codes = [p.patch_code for p in parts]
    q.remove_parts(session, parent.id)
    payload: dict[str, Any] = {"parts": codes}
    if actor.via:
        payload["via"] = actor.via
    append_event(
        session, patch_id=parent.id, action=Action.split_undo.value, actor=actor.name, role=actor.role.value,
        state_before=parent.state, state_after=parent.state, payload=payload, at=at,
    )  # fmt: skip
    return parent.patch_code, codes


def split_of(session: Session, patch_id: int, actor: Actor | None = None) -> SplitInfo | None:
    """The split ``patch_id`` belongs to (as parent or part), or None; ``actor`` narrows to what
    it may see (a military-restricted patch is NotFound for non-bureau roles)."""
    row = _patch(session, patch_id, actor)
    parent_id = q.parent_of(session, row.id) or row.id
    parts = q.parts_of(session, parent_id)
    if not parts:
        return None
    parent = _patch(session, parent_id, actor)
    names = township_names(session)
    listed = []
    for p in parts:
        det = current_determination(session, p.id)
        geom = shapely.from_wkb(p.wkb)
        listed.append(SplitPart(
            patch_id=p.id, code=p.patch_code, part_no=p.part_no, area_m2=float(p.area_m2), state=p.state,
            township_code=p.township_code, township_name=names.get(p.township_code or ""),
            verdict=det.verdict if det is not None else None, geometry=shapely.geometry.mapping(geom),
        ))  # fmt: skip
    first = parts[0]
    created = first.split_at if first.split_at.tzinfo else first.split_at.replace(tzinfo=dt.UTC)
    return SplitInfo(
        parent_id=parent.id, parent_code=parent.patch_code, parent_state=parent.state,
        area_m2=float(parent.area_m2), status=first.split_status, created_by=first.split_by,
        created_at=created, parts=tuple(listed),
    )  # fmt: skip
