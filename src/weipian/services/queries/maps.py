"""What the patch map draws: the visible patches and reference-layer features in a lon/lat box,
as GeoJSON text built directly from the stored WKB (no round trip through Python dicts), with
coordinates rounded to 1e-7° (about 1 cm) for drawing.

The box query uses the spatial index (R*Tree / GiST); the scope rules are those of the patch
list, so the map never shows a patch the account could not open. Military land is drawn for the
roles that may see restricted patches only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from numpy.typing import NDArray
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from weipian.domain.layers import LayerKind
from weipian.errors import NotFound
from weipian.services.access import Scope
from weipian.services.queries.scope import visible
from weipian.storage.layers import current_layer
from weipian.storage.spatial import BBox, bbox_clause
from weipian.storage.tables import layer_features, layers, patches, suggestions

# Attributes shown in the map's info panel when present, in this order.
INFO_KEYS = (
    "XZQMC", "DLBM", "DLMC", "QSDWMC", "ZLDWMC", "XMMC", "PZWH", "PZRQ", "XKZH", "KSMC", "YXQZ",
    "JCBH", "NAME", "MC",
)  # fmt: skip


@dataclass(frozen=True)
class FeatureCollection:
    """GeoJSON text and whether the limit cut it short."""

    text: str
    count: int
    truncated: bool


def _round(coords: NDArray[np.float64]) -> NDArray[np.float64]:
    return np.round(coords, 7)


def _collection(
    ids: list[int], props: list[dict[str, Any]], wkbs: list[bytes], limit: int
) -> FeatureCollection:
    truncated = len(ids) > limit
    ids, props, wkbs = ids[:limit], props[:limit], wkbs[:limit]
    # 7 decimals of a degree is about 1 cm: enough to draw, a third less to send than full floats.
    geoms = shapely.to_geojson(shapely.transform(shapely.from_wkb(wkbs), _round)) if wkbs else []
    features = ",".join(
        f'{{"type":"Feature","id":{i},"properties":{json.dumps(p, ensure_ascii=False, default=str)},'
        f'"geometry":{g}}}'
        for i, p, g in zip(ids, props, geoms, strict=True)
    )
    text = (
        f'{{"type":"FeatureCollection","truncated":{"true" if truncated else "false"},'
        f'"features":[{features}]}}'
    )
    return FeatureCollection(text, len(ids), truncated)


def patch_features(session: Session, bbox: BBox, *, scope: Scope, limit: int) -> FeatureCollection:
    """The patches in ``bbox`` the scope may see: id, JCBH, state and suggestion."""
    query = visible(
        select(patches.c.id, patches.c.patch_code, patches.c.state, suggestions.c.verdict, patches.c.wkb)
        .select_from(patches.outerjoin(suggestions, suggestions.c.patch_id == patches.c.id))
        .where(bbox_clause(session, patches, bbox))
        .order_by(patches.c.id)
        .limit(limit + 1),
        scope,
    )
    rows = session.execute(query).all()
    props = [{"code": r.patch_code, "state": r.state, "verdict": r.verdict} for r in rows]
    return _collection([r.id for r in rows], props, [r.wkb for r in rows], limit)


def may_see_layer(kind: LayerKind, scope: Scope) -> bool:
    """Military land is drawn only for roles that may see restricted patches."""
    return kind is not LayerKind.military or scope.restricted


def layer_feature_collection(
    session: Session, kind: LayerKind, bbox: BBox, *, scope: Scope, limit: int
) -> FeatureCollection:
    """Features of the current version of ``kind`` in ``bbox``, with a few attributes to show."""
    layer = current_layer(session, kind.value) if may_see_layer(kind, scope) else None
    if layer is None:
        raise NotFound("map.no_layer", kind=kind.value, label=kind.label)
    rows = session.execute(
        select(layer_features.c.id, layer_features.c.code, layer_features.c.attrs, layer_features.c.wkb)
        .where(layer_features.c.layer_id == layer.id, bbox_clause(session, layer_features, bbox))
        .order_by(layer_features.c.id)
        .limit(limit + 1)
    ).all()
    props = [
        {
            "code": r.code,
            **{k: (r.attrs or {})[k] for k in INFO_KEYS if (r.attrs or {}).get(k) not in (None, "")},
        }
        for r in rows
    ]
    return _collection([r.id for r in rows], props, [r.wkb for r in rows], limit)


def available_layers(session: Session, scope: Scope) -> list[dict[str, Any]]:
    """The reference layers that have a current version, in the domain's order, with labels."""
    present = dict(
        session.execute(
            select(layers.c.kind, func.max(layers.c.feature_count))
            .where(layers.c.is_current.is_(True))
            .group_by(layers.c.kind)
        ).all()
    )
    return [
        {"kind": k.value, "label": k.label, "features": present[k.value]}
        for k in LayerKind
        if k.value in present and may_see_layer(k, scope)
    ]
