"""A hand-registered patch (自主发现) as the one-row table intake reads from a package.

Staff paste GeoJSON (a geometry, a feature or a collection of one feature) or a list of
coordinate pairs ``"x y, x y, …"``; both become a :class:`~weipian.io.readers.VectorTable` with
the CRS declared, or inferred exactly as for a package without a ``.prj``, so the intake checks
that follow are the package's own. Input is bounded in size before it is parsed.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import shapely
from shapely.geometry import shape

from weipian.errors import InputError
from weipian.io.readers import VectorTable, resolve_crs

MAX_TEXT_CHARS = 1_000_000  # a drawn or surveyed outline is a few kilobytes
MAX_VERTICES = 10_000
MANUAL_PATH = Path("手工登记")  # stands for the file name in messages and ``batches.file_name``

_PAIR_SEPARATORS = re.compile(r"[,，;；\n]+")


def parse_coordinates(text: str) -> shapely.Polygon:
    """One ring from ``"x y, x y, …"`` (pairs split by commas, semicolons or lines); closed here.

    >>> parse_coordinates("118.1 24.9, 118.2 24.9; 118.2 25.0").wkt
    'POLYGON ((118.1 24.9, 118.2 24.9, 118.2 25, 118.1 24.9))'

    """
    _bounded(text)
    points: list[tuple[float, float]] = []
    for part in _PAIR_SEPARATORS.split(text.strip()):
        if not part.strip():
            continue
        numbers = part.split()
        if len(numbers) != 2:
            raise InputError("manual.coords_invalid", part=part.strip()[:40])
        try:
            x, y = float(numbers[0]), float(numbers[1])
        except ValueError as exc:
            raise InputError("manual.coords_invalid", part=part.strip()[:40]) from exc
        if not (math.isfinite(x) and math.isfinite(y)):
            raise InputError("manual.coords_invalid", part=part.strip()[:40])
        points.append((x, y))
    if len(points) > MAX_VERTICES:
        raise InputError("manual.too_many_vertices", count=len(points), limit=MAX_VERTICES)
    if len(points) > 1 and points[0] == points[-1]:
        points.pop()
    if len(set(points)) < 3:
        raise InputError("manual.too_few_points", count=len(set(points)))
    return shapely.Polygon([*points, points[0]])


def parse_geojson(text: str) -> tuple[Any, str | None]:
    """The geometry of a GeoJSON text and the CRS its (pre-RFC 7946) ``crs`` member names, if any."""
    _bounded(text)
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise InputError("manual.geojson_invalid", detail=str(exc)[:80]) from exc
    if not isinstance(doc, dict):
        raise InputError("manual.geojson_invalid", detail="不是 GeoJSON 对象")
    declared = _declared_crs(doc)
    if doc.get("type") == "FeatureCollection":
        features = doc.get("features")
        if not isinstance(features, list) or len(features) != 1:
            count = len(features) if isinstance(features, list) else 0
            raise InputError("manual.geojson_features", count=count)
        doc = features[0]
    if isinstance(doc, dict) and doc.get("type") == "Feature":
        doc = doc.get("geometry")
    if not isinstance(doc, dict) or doc.get("type") not in ("Polygon", "MultiPolygon"):
        kind = doc.get("type") if isinstance(doc, dict) else None
        raise InputError("manual.geometry_not_polygon", geom_type=str(kind or "无"))
    try:
        geom = shape(doc)
    except Exception as exc:  # shapely's own errors for rings of the wrong shape or text values
        raise InputError("manual.geojson_invalid", detail=type(exc).__name__) from exc
    if shapely.get_num_coordinates(geom) > MAX_VERTICES:
        raise InputError(
            "manual.too_many_vertices", count=int(shapely.get_num_coordinates(geom)), limit=MAX_VERTICES
        )
    return geom, declared


def manual_table(
    geom: Any,
    attrs: dict[str, Any],
    *,
    crs: str | None,
    region: tuple[float, float, float, float],
    source_text: str,
) -> VectorTable:
    """The one-row table of a hand-registered patch; ``crs`` None: inferred as for a package."""
    geoms = np.array([geom], dtype=object)
    bounds = shapely.bounds(geoms)[0]
    epsg: int | None
    degrees = bool(np.isfinite(bounds).all()) and max(abs(bounds[0]), abs(bounds[2])) <= 180
    degrees = degrees and max(abs(bounds[1]), abs(bounds[3])) <= 90
    if crs is None and (degrees or shapely.is_empty(geom) or not np.isfinite(bounds).all()):
        # Staff are asked for 经度 纬度: degrees are CGCS2000 (a point outside the county is then
        # said to be outside, not of an unknown CRS); nothing usable: intake's row checks say so.
        crs_text, epsg, inferred = "EPSG:4490", 4490, False
    else:  # projected metres: the CRS named, or the one candidate that lands in the county
        crs_text, epsg, inferred = resolve_crs(crs, geoms, region, MANUAL_PATH)
    digest = hashlib.sha256(source_text.encode("utf-8")).hexdigest()
    table = pd.DataFrame([attrs])
    return VectorTable(MANUAL_PATH, "manual", geoms, table, crs_text, epsg, inferred, None, digest)


def _bounded(text: str) -> None:
    if len(text) > MAX_TEXT_CHARS:
        raise InputError("manual.input_too_long", chars=len(text), limit=MAX_TEXT_CHARS)
    if not text.strip():
        raise InputError("manual.no_geometry")


def _declared_crs(doc: dict[str, Any]) -> str | None:
    crs = doc.get("crs")
    if not isinstance(crs, dict):
        return None
    props = crs.get("properties")
    name = props.get("name") if isinstance(props, dict) else None
    if not isinstance(name, str):
        return None
    m = re.search(r"EPSG:{1,2}(\d+)$", name)  # "urn:ogc:def:crs:EPSG::4527" → "EPSG:4527"
    return f"EPSG:{m.group(1)}" if m else name
