"""The patch map's data: visible patches and reference-layer features for a lon/lat box, as
GeoJSON (``/api/map/…``). The page module is ``static/map.js``; imagery tiles are in
``routes/imagery.py``."""

from __future__ import annotations

import math
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from weipian.domain.layers import LayerKind
from weipian.errors import InputError, NotFound
from weipian.messages import note_text
from weipian.services.evidence import list_evidence
from weipian.services.queries.maps import (
    FeatureCollection,
    available_layers,
    layer_feature_collection,
    patch_features,
)
from weipian.services.queries.scope import get_patch
from weipian.storage.spatial import BBox
from weipian.web.deps import CurrentUser, ScopeDep, StoreDep

router = APIRouter(prefix="/api/map")

PATCH_LIMIT = 3000  # features per answer; the client asks the user to zoom in beyond it
LAYER_LIMIT = 5000


def _bbox(bbox: Annotated[str, Query(description="西,南,东,北（经纬度）")]) -> BBox:
    """Parse ``w,s,e,n``; refuse anything that is not a sane lon/lat box."""
    try:
        w, s, e, n = (float(v) for v in bbox.split(","))
    except ValueError:
        raise InputError("map.bad_bbox", bbox=bbox) from None
    finite = all(math.isfinite(v) for v in (w, s, e, n))
    if not finite or not (-180 <= w < e <= 180 and -90 <= s < n <= 90):
        raise InputError("map.bad_bbox", bbox=bbox)
    return (w, s, e, n)


BBoxDep = Annotated[BBox, Depends(_bbox)]


def _geojson(fc: FeatureCollection) -> Response:
    return Response(
        fc.text,
        media_type="application/geo+json",
        headers={"Cache-Control": "private, no-store", "X-Feature-Count": str(fc.count)},
    )


@router.get("/patches")
def map_patches(user: CurrentUser, scope: ScopeDep, store: StoreDep, box: BBoxDep) -> Response:
    with store.reading() as session:
        return _geojson(patch_features(session, box, scope=scope, limit=PATCH_LIMIT))


@router.get("/layers")
def map_layers(user: CurrentUser, scope: ScopeDep, store: StoreDep) -> list[dict[str, Any]]:
    with store.reading() as session:
        return available_layers(session, scope)


@router.get("/layers/{kind}")
def map_layer(kind: str, user: CurrentUser, scope: ScopeDep, store: StoreDep, box: BBoxDep) -> Response:
    if kind not in LayerKind.__members__:
        raise NotFound("map.no_layer", kind=kind, label=kind)
    with store.reading() as session:
        return _geojson(
            layer_feature_collection(session, LayerKind(kind), box, scope=scope, limit=LAYER_LIMIT)
        )


@router.get("/photos")
def map_photos(patch_id: int, user: CurrentUser, scope: ScopeDep, store: StoreDep) -> dict[str, Any]:
    """The patch's field photos with a position, as GeoJSON points (azimuth in degrees, or null);
    404 for a patch outside the account's scope, as the patch page."""
    with store.reading() as session:
        get_patch(session, patch_id, scope)
        items = list_evidence(session, patch_id)
    features = [
        {
            "type": "Feature", "id": e.id,
            "geometry": {"type": "Point", "coordinates": [e.lon, e.lat]},
            "properties": {"name": e.original_name, "azimuth": e.azimuth, "failed": e.failed, "note": note_text(e.note) or None},
        }
        for e in items
        if e.is_photo and e.lon is not None and e.lat is not None
    ]  # fmt: skip
    return {"type": "FeatureCollection", "features": features}
