"""The automatic checks of a field photo against its patch. Pure: values in, checks out.

Four checks, each a :class:`Check` with a stable code, ``passed`` (True, False, or None for
"cannot tell") and a Chinese sentence for the reviewer:

``position``   taken inside the patch or within the allowed distance of its boundary;
               a photo without GPS position fails.
``time``       taken on or after the patch's 后时相 (HSX) date, in Beijing time; a photo without
               a time fails; a patch without HSX cannot tell.
``direction``  the photo records its direction (GPSImgDirection).
``not_reused`` the same file (SHA-256) is not attached to another patch.

Distance (:func:`distance_to_patch`) is measured in an azimuthal equidistant projection on GRS80
centred on the photo's position: distances from the centre of that projection are geodesic
distances, exactly, so the distance to the nearest boundary point found is exact. The only
approximation is the shape of an edge between two vertices: straight in this projection, where
the stored polygon is straight in lon/lat (and the delivered one in Gauss–Krüger). The two part
by at most the sagitta L² tan φ / 8R: 0.1 mm for a 100 m edge, 1 cm for a 1 km edge (checked
against ``pyproj.Geod`` in tests/unit/test_evidence_checks.py). GPS
positions are WGS 84 and patches CGCS2000 (EPSG:4490): the datums differ by less than a metre,
far below a phone's GPS error (5–10 m), and are treated as equal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import shapely
from numpy.typing import NDArray
from pyproj import Transformer

from weipian.domain.clock import BEIJING

__all__ = ["CHECK_CODES", "COMPASS_POINTS", "Check", "compass_point", "distance_to_patch", "photo_checks"]

CHECK_CODES = ("position", "time", "direction", "not_reused")
COMPASS_POINTS = ("n", "ne", "e", "se", "s", "sw", "w", "nw")  # worded in messages.labels


@dataclass(frozen=True)
class Check:
    """One automatic check: ``passed`` is None when it cannot be told. ``params["reason"]``
    names the sentence (``evidence.check.<reason>``), made at the edge (``messages.check_text``)."""

    code: str
    passed: bool | None
    params: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, as stored in ``attachments.checks``."""
        return asdict(self)


def _check(code: str, passed: bool | None, reason: str, **params: Any) -> Check:
    return Check(code, passed, {"reason": reason, **params})


@lru_cache(maxsize=64)
def _aeqd(lon: float, lat: float) -> Transformer:
    proj = f"+proj=aeqd +lat_0={lat!r} +lon_0={lon!r} +ellps=GRS80 +units=m +no_defs"
    return Transformer.from_crs("EPSG:4490", proj, always_xy=True)


def distance_to_patch(lon: float, lat: float, patch: shapely.Geometry) -> float:
    """Metres from the point (lon, lat) to the patch polygon (EPSG:4490); 0 inside or on it.

    >>> sq = shapely.box(118.4, 24.9, 118.401, 24.901)
    >>> distance_to_patch(118.4005, 24.9005, sq)
    0.0
    >>> round(distance_to_patch(118.4005, 24.9015, sq), 1)  # 0.0005° of latitude north
    55.4
    """
    if shapely.covers(patch, shapely.Point(lon, lat)):
        return 0.0
    tr = _aeqd(lon, lat)

    def _apply(coords: NDArray[np.float64]) -> NDArray[np.float64]:
        x, y = tr.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    projected = shapely.transform(patch, _apply)
    return float(shapely.distance(projected, shapely.Point(0.0, 0.0)))


def compass_point(azimuth: float) -> str:
    """The eight-point compass point of an azimuth in degrees, as a code.

    >>> compass_point(0), compass_point(130), compass_point(350)
    ('n', 'se', 'n')
    """
    return COMPASS_POINTS[int(((azimuth % 360.0) + 22.5) // 45.0) % 8]


def position_check(
    lon: float | None, lat: float | None, patch: shapely.Geometry | None, max_distance_m: float
) -> Check:
    if lon is None or lat is None:
        return _check("position", False, "position_missing")
    if patch is None or shapely.is_empty(patch):
        return _check("position", None, "position_no_patch")
    d = distance_to_patch(lon, lat, patch)
    limit = f"{max_distance_m:,.0f}"
    if d == 0.0:
        return _check("position", True, "position_inside", distance_m=0.0)
    shown = f"{d:,.0f}"
    if d <= max_distance_m:
        return _check("position", True, "position_near", distance_m=round(d, 1), distance=shown, limit=limit)
    return _check("position", False, "position_far", distance_m=round(d, 1), distance=shown, limit=limit)


def time_check(taken_at: dt.datetime | None, after: dt.date | None) -> Check:
    if taken_at is None:
        return _check("time", False, "time_missing")
    local = taken_at.astimezone(BEIJING) if taken_at.tzinfo else taken_at
    taken = local.strftime("%Y-%m-%d %H:%M")
    if after is None:
        return _check("time", None, "time_no_hsx", taken=taken)
    passed = local.date() >= after
    return _check(
        "time", passed, "time_after" if passed else "time_before", taken=taken, hsx=after.isoformat()
    )


def direction_check(azimuth: float | None) -> Check:
    if azimuth is None:
        return _check("direction", False, "direction_missing")
    return _check(
        "direction", True, "direction_present", azimuth=f"{azimuth:.0f}", compass_point=compass_point(azimuth)
    )


def reuse_check(reused_on: Sequence[str]) -> Check:
    if reused_on:
        return _check("not_reused", False, "reused", patches="、".join(sorted(set(reused_on))))
    return _check("not_reused", True, "not_reused")


def photo_checks(
    *,
    lon: float | None,
    lat: float | None,
    azimuth: float | None,
    taken_at: dt.datetime | None,
    patch: shapely.Geometry | None,
    after: dt.date | None,
    max_distance_m: float,
    reused_on: Sequence[str] = (),
) -> list[Check]:
    """The four checks of one photo against its patch (``reused_on``: other patches' JCBH).

    >>> sq = shapely.box(118.4, 24.9, 118.401, 24.901)
    >>> checks = photo_checks(lon=118.4005, lat=24.9005, azimuth=90.0,
    ...     taken_at=dt.datetime(2022, 10, 1, 9, 30, tzinfo=BEIJING), patch=sq,
    ...     after=dt.date(2022, 9, 1), max_distance_m=100.0)
    >>> [(c.code, c.passed) for c in checks]
    [('position', True), ('time', True), ('direction', True), ('not_reused', True)]
    """
    return [
        position_check(lon, lat, patch, max_distance_m),
        time_check(taken_at, after),
        direction_check(azimuth),
        reuse_check(reused_on),
    ]
