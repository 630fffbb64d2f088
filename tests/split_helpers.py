"""Patch-split helpers shared by the split service, CLI and page tests: parts cut from a stored
patch's own geometry, written as GeoJSON."""

from __future__ import annotations

import json
from typing import Any

import shapely

from weipian.storage.store import Store
from weipian.storage.workflow import find_patch


def parent_geometry(store: Store, code: str) -> Any:
    with store.reading() as s:
        return shapely.from_wkb(find_patch(s, code).wkb)


def halves(geom: Any, at: float = 0.5) -> list[Any]:
    """West and east parts of ``geom`` cut by a meridian at fraction ``at`` of its width."""
    minx, miny, maxx, maxy = geom.bounds
    cut = minx + (maxx - minx) * at
    return [
        geom.intersection(shapely.box(minx - 1, miny - 1, cut, maxy + 1)),
        geom.intersection(shapely.box(cut, miny - 1, maxx + 1, maxy + 1)),
    ]


def collection(geoms: list[Any], **extra: Any) -> bytes:
    doc = {
        "type": "FeatureCollection",
        **extra,
        "features": [
            {
                "type": "Feature",
                "properties": {"名称": f"<b>第{i}块</b>"},
                "geometry": shapely.geometry.mapping(g),
            }
            for i, g in enumerate(geoms, 1)
        ],
    }
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")
