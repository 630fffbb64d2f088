"""Detect the CRS of delivered data: from its definition, or from coordinate magnitudes.

Nan'an data arrive as CGCS2000 lon/lat (EPSG:4490) or in the 3° Gauss–Krüger zone with CM 117°E,
with the zone prefix (EPSG:4527, 8-digit easting starting 39) or without (EPSG:4548, 6 digits).
Without a ``.prj`` a guess is made only when exactly one candidate puts the data inside the
county's area; otherwise the caller refuses the file.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyproj import CRS, Transformer

__all__ = ["CANDIDATE_EPSG", "CrsGuess", "detect_crs", "epsg_of"]

# Candidates tried when a file declares no CRS: CGCS2000 geographic, then the GK zones around
# Fujian (CM 117°E and 120°E), with and without the zone prefix.
CANDIDATE_EPSG = (4490, 4527, 4528, 4548, 4549)


@dataclass(frozen=True)
class CrsGuess:
    """Outcome of CRS detection: the EPSG code, or the candidates that fit equally well."""

    epsg: int | None
    inferred: bool
    candidates: tuple[int, ...] = ()


def epsg_of(definition: str) -> int | None:
    """EPSG code of a CRS definition (WKT, PROJ string, ``EPSG:n``), or None if it has none.

    >>> epsg_of("EPSG:4527")
    4527
    """
    crs = CRS.from_user_input(definition)
    code = crs.to_epsg(min_confidence=70)
    return int(code) if code is not None else None


def _fits(epsg: int, bounds: tuple[float, float, float, float], region: tuple[float, ...]) -> bool:
    minx, miny, maxx, maxy = bounds
    if epsg == 4490:
        lon_min, lat_min, lon_max, lat_max = minx, miny, maxx, maxy
    else:
        tr = Transformer.from_crs(CRS.from_epsg(epsg), CRS.from_epsg(4490), always_xy=True)
        xs, ys = tr.transform([minx, maxx, minx, maxx], [miny, miny, maxy, maxy])
        lon_min, lon_max, lat_min, lat_max = min(xs), max(xs), min(ys), max(ys)
    w, s, e, n = region
    return w <= lon_min and lon_max <= e and s <= lat_min and lat_max <= n


def detect_crs(
    bounds: tuple[float, float, float, float], region: tuple[float, float, float, float]
) -> CrsGuess:
    """Infer a CRS from data ``bounds`` when exactly one candidate places them inside ``region``.

    ``region`` is the county's (west, south, east, north) in degrees.

    >>> detect_crs((118.3, 24.8, 118.5, 25.0), (117.8, 24.4, 118.9, 25.5)).epsg
    4490
    >>> detect_crs((39641000, 2755000, 39642000, 2756000), (117.8, 24.4, 118.9, 25.5)).epsg
    4527
    >>> detect_crs((641000, 2755000, 642000, 2756000), (117.8, 24.4, 118.9, 25.5)).epsg
    4548
    """
    fitting = []
    for epsg in CANDIDATE_EPSG:
        try:
            if _fits(epsg, bounds, region):
                fitting.append(epsg)
        except Exception:
            continue
    if len(fitting) == 1:
        return CrsGuess(fitting[0], inferred=True, candidates=tuple(fitting))
    return CrsGuess(None, inferred=True, candidates=tuple(fitting))
