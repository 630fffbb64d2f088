"""Read the parts of a split (图斑拆分) from a GeoJSON FeatureCollection, defensively.

The file comes from a user (a CLI path or a web upload): it is size-capped, parsed without NaN
or Infinity, and only Polygon/MultiPolygon features in longitude/latitude (RFC 7946, or a legacy
``crs`` member naming EPSG:4490/4326/CRS84) are taken — a projected CRS is refused with a
sentence that says to export in 经纬度. Properties are ignored: the parts are numbered in file
order. Geometry problems beyond the file's shape (validity, tiling) are ``analysis.split``'s.
"""

from __future__ import annotations

import json
from typing import Any

import shapely

from weipian.errors import InputError

__all__ = ["MAX_BYTES", "MAX_VERTICES", "read_parts"]

MAX_BYTES = 5 * 2**20
MAX_VERTICES = 200_000
LONLAT_CRS = ("4490", "4326", "CRS84", "CRS:84")


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"non-finite number {name}")


def _crs_name(doc: dict[str, Any]) -> str | None:
    crs = doc.get("crs")
    if crs is None:
        return None
    name = crs.get("properties", {}).get("name") if isinstance(crs, dict) else None
    if not isinstance(name, str) or not any(name.upper().endswith(c) for c in LONLAT_CRS):
        return str(name if isinstance(name, str) else crs)[:80]
    return None


def read_parts(data: bytes) -> list[shapely.Geometry]:
    """The part geometries of a GeoJSON FeatureCollection, in file order (EPSG:4490 ≈ 4326)."""
    if len(data) > MAX_BYTES:
        raise InputError(
            "split.file_too_large", size_mb=round(len(data) / 2**20, 1), max_mb=MAX_BYTES // 2**20
        )
    try:
        doc = json.loads(data.decode("utf-8-sig"), parse_constant=_refuse_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise InputError("split.file_unreadable", detail=type(exc).__name__) from None
    if (
        not isinstance(doc, dict)
        or doc.get("type") != "FeatureCollection"
        or not isinstance(doc.get("features"), list)
    ):
        raise InputError("split.not_feature_collection")
    crs = _crs_name(doc)
    if crs is not None:
        raise InputError("split.crs", crs=crs)
    parts: list[shapely.Geometry] = []
    vertices = 0
    for no, feature in enumerate(doc["features"], start=1):
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
            kind = geometry.get("type") if isinstance(geometry, dict) else "无"
            raise InputError("split.part_not_polygon", part=no, geom_type=str(kind)[:40])
        try:
            geom = shapely.force_2d(shapely.geometry.shape(geometry))
        except (ValueError, TypeError, AttributeError, IndexError, KeyError, shapely.errors.ShapelyError):
            raise InputError("split.part_unreadable", part=no) from None
        vertices += int(shapely.get_num_coordinates(geom))
        if vertices > MAX_VERTICES:
            raise InputError("split.too_many_vertices", max=MAX_VERTICES)
        parts.append(geom)
    return parts
