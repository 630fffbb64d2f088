"""Area of A ∩ B by Green's theorem, without building the intersection (numba kernel).

The boundary of A ∩ B is the part of A's boundary inside B plus the part of B's boundary inside
A, so with rings oriented interior-left, area(A ∩ B) = ½ Σ (x1·y2 − x2·y1) over those pieces.
For one edge p0→p1 every piece lies on the same line, and the pieces sum to
(x0·y1 − x1·y0) × (the fraction of the edge inside the other polygon). That fraction comes from
where the edge crosses the other's edges (each crossing enters or leaves it, told by the side the
edge ends on) and whether the ring's first vertex is inside (even–odd over every ring): no
sorting, no new geometry, and only edges inside the two bounding boxes' overlap are tested.

Exact only where every crossing is a clean one. A pair with a vertex within a tolerance of the
other polygon's edges (1e-9 of the pair's extent plus 1e-12 of the coordinates' magnitude), or
with edges that run together (shared borders, identical polygons, touching at a point), is
*degenerate*: the kernel says so (``ok`` False) and the caller measures it with GEOS. The sums
hold for valid (multi)polygons only — parts that do not overlap, holes inside their shell. The
overlay repairs patches and layer import repairs features, but an equal-area copy is not checked
again after projecting, so every side is checked here (``is_valid``); an invalid one, ``None`` or
a collection is left to GEOS too, which repairs as before.
"""

from __future__ import annotations

import threading

import numpy as np
import shapely
from numpy.typing import NDArray

__all__ = ["intersection_areas", "warm"]

_REL_EXTENT = 1e-9  # tolerance: share of the pair's extent
_REL_COORD = 1e-12  # and of the coordinates' magnitude (rounding when shifted to the pair's origin)

# The kernel's functions, compiled by numba on first use rather than at import: importing numba
# costs about half a second, which every CLI command would pay. Compiled code is cached on disk
# (next to this file, or in the user's cache when that is read-only) and releases the GIL.
_KERNEL = ("_ring_info", "_geom_box", "_on_segment", "_near_edges", "_crossings", "_inside",
           "_inside_sum", "_pairs")  # fmt: skip
_compiled = False
_compiling = threading.Lock()


def _compile() -> None:
    global _compiled
    with _compiling:
        if _compiled:
            return
        import numba

        names = globals()
        for name in _KERNEL:  # all replaced before any runs: each calls the compiled others
            names[name] = numba.njit(cache=True, nogil=True)(names[name])
        _compiled = True


def warm() -> None:
    """Compile (or load from the cache) the kernel now: a pool worker does it while the parent plans."""
    square = np.array([shapely.box(0, 0, 2, 2)], dtype=object)
    intersection_areas(square, np.array([shapely.box(1, 1, 3, 4)], dtype=object))


def intersection_areas(
    a: NDArray[np.object_], b: NDArray[np.object_]
) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """Areas of ``a[i] ∩ b[i]`` for valid planar (multi)polygons, and which pairs that is exact for.

    Returns ``(area, ok)``: where ``ok`` is False the pair is degenerate (see the module) or not
    two polygons, and ``area`` is NaN there — measure those with GEOS.

    >>> import numpy as np, shapely
    >>> a = np.array([shapely.box(0, 0, 2, 2), shapely.box(0, 0, 2, 2)], dtype=object)
    >>> b = np.array([shapely.Point(1, 1).buffer(1.5), shapely.box(2, 0, 3, 2)], dtype=object)
    >>> area, ok = intersection_areas(a, b)
    >>> ok.tolist(), bool(np.isclose(area[0], shapely.intersection(a[0], b[0]).area, rtol=1e-12))
    ([True, False], True)
    """
    _compile()
    n = len(a)
    area = np.full(n, np.nan)
    ok = np.zeros(n, np.bool_)
    if n == 0:
        return area, ok
    ua, ia = _unique(a)
    ub, ib = _unique(b)
    fa, ga = _flat(ua)
    fb, gb = _flat(ub)
    rows = np.flatnonzero(ga[ia] & gb[ib])
    if len(rows):
        got, fine = np.empty(len(rows)), np.zeros(len(rows), np.bool_)
        _pairs(*fa, *fb, ia[rows], ib[rows], got, fine)
        area[rows], ok[rows] = got, fine
    area[~ok] = np.nan
    return area, ok


_Flat = tuple[
    NDArray[np.float64],  # coordinates (n, 2)
    NDArray[np.int64],  # ring k's coordinates: ring_off[k]:ring_off[k + 1] (closed)
    NDArray[np.float64],  # ring k: +1 if its interior side is on the left as stored, else -1
    NDArray[np.float64],  # ring k's box
    NDArray[np.int64],  # geometry g's rings: geom_ring[g]:geom_ring[g + 1]
    NDArray[np.float64],  # geometry g's box (inf, inf, -inf, -inf when it has no rings)
]


def _unique(geoms: NDArray[np.object_]) -> tuple[NDArray[np.object_], NDArray[np.int64]]:
    """The distinct objects of ``geoms`` (pairs repeat a patch or a feature) and where each goes."""
    ids = np.fromiter((id(g) for g in geoms), np.int64, len(geoms))
    _, first, inverse = np.unique(ids, return_index=True, return_inverse=True)
    return geoms[first], inverse.astype(np.int64)


def _flat(geoms: NDArray[np.object_]) -> tuple[_Flat, NDArray[np.bool_]]:
    """Flat arrays of the polygons' rings, and which geometries are valid (multi)polygons.

    Checking validity costs about a tenth of a GEOS intersection a geometry; without it a ring
    that crosses itself (a bow-tie) would be measured, silently wrong, instead of repaired.
    """
    types = shapely.get_type_id(geoms)
    good = np.isin(types, (3, 6))  # Polygon, MultiPolygon
    good[good] = shapely.is_valid(geoms[good])
    g = geoms[good]
    xy = np.ascontiguousarray(shapely.get_coordinates(g), dtype=np.float64)  # ring after ring
    # Most are one ring: its length is the polygon's. Only holed or multipart ones need their
    # rings listed (to_ragged_array makes a geometry a ring, several times slower).
    n_xy = shapely.get_num_coordinates(g)
    simple = (types[good] == 3) & (shapely.get_num_interior_rings(g) == 0)
    # Delivered layers and packages store MultiPolygons of one part (GeoPackage, shapefile):
    # their coordinates are that part's, so one without holes is one ring too.
    one = np.flatnonzero((types[good] == 6) & (shapely.get_num_geometries(g) == 1))
    simple[one] = shapely.get_num_interior_rings(shapely.get_geometry(g[one], 0)) == 0
    rings_per = (simple & (n_xy > 0)).astype(np.int64)
    ring_len = n_xy[simple & (n_xy > 0)].astype(np.int64)
    shell = np.ones(len(ring_len), np.bool_)
    if not simple.all():
        kind, _, offsets = shapely.to_ragged_array(g[~simple], include_z=False)
        part_ring = offsets[1].astype(np.int64)  # polygon p's rings: part_ring[p]:part_ring[p + 1]
        geom_ring = part_ring if kind == shapely.GeometryType.POLYGON else part_ring[offsets[2]]
        rings_per[~simple] = np.diff(geom_ring)
        of_complex = ~simple[np.repeat(np.arange(len(g)), rings_per)]
        ring_len_all = np.empty(int(rings_per.sum()), np.int64)
        ring_len_all[~of_complex] = ring_len
        ring_len_all[of_complex] = np.diff(offsets[0])
        ring_len = ring_len_all
        shell = np.ones(len(ring_len), np.bool_)
        shell[of_complex] = False
        firsts = part_ring[:-1][np.diff(part_ring) > 0]  # the shell of each non-empty part
        shell[np.flatnonzero(of_complex)[firsts]] = True
    ring_off = np.concatenate([[0], np.cumsum(ring_len)]).astype(np.int64)
    per_geom = np.zeros(len(geoms), np.int64)
    per_geom[good] = rings_per
    geom_ring = np.concatenate([[0], np.cumsum(per_geom)]).astype(np.int64)
    factor, ring_box = _ring_info(xy, ring_off, shell)
    return (xy, ring_off, factor, ring_box, geom_ring, _geom_box(ring_box, geom_ring)), good


def _ring_info(
    xy: NDArray[np.float64], ring_off: NDArray[np.int64], shell: NDArray[np.bool_]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Each ring's orientation factor (shells counter-clockwise, holes clockwise: +1) and box."""
    n = len(ring_off) - 1
    factor = np.ones(n)
    box = np.empty((n, 4))
    for k in range(n):
        lo, hi = ring_off[k], ring_off[k + 1]
        x0, y0 = xy[lo, 0], xy[lo, 1]
        box[k, 0], box[k, 1], box[k, 2], box[k, 3] = x0, y0, x0, y0
        twice = 0.0
        for i in range(lo, hi - 1):
            ax, ay = xy[i, 0] - x0, xy[i, 1] - y0  # relative to the first vertex: no cancellation
            bx, by = xy[i + 1, 0] - x0, xy[i + 1, 1] - y0
            twice += ax * by - bx * ay
            box[k, 0] = min(box[k, 0], xy[i + 1, 0])
            box[k, 1] = min(box[k, 1], xy[i + 1, 1])
            box[k, 2] = max(box[k, 2], xy[i + 1, 0])
            box[k, 3] = max(box[k, 3], xy[i + 1, 1])
        factor[k] = 1.0 if (twice > 0) == shell[k] else -1.0
    return factor, box


def _geom_box(ring_box: NDArray[np.float64], geom_ring: NDArray[np.int64]) -> NDArray[np.float64]:
    n = len(geom_ring) - 1
    box = np.empty((n, 4))
    for g in range(n):
        box[g, 0], box[g, 1], box[g, 2], box[g, 3] = np.inf, np.inf, -np.inf, -np.inf
        for k in range(geom_ring[g], geom_ring[g + 1]):
            box[g, 0] = min(box[g, 0], ring_box[k, 0])
            box[g, 1] = min(box[g, 1], ring_box[k, 1])
            box[g, 2] = max(box[g, 2], ring_box[k, 2])
            box[g, 3] = max(box[g, 3], ring_box[k, 3])
    return box


def _pairs(
    xa: NDArray[np.float64],
    roa: NDArray[np.int64],
    fa: NDArray[np.float64],
    rba: NDArray[np.float64],
    gra: NDArray[np.int64],
    gba: NDArray[np.float64],
    xb: NDArray[np.float64],
    rob: NDArray[np.int64],
    fb: NDArray[np.float64],
    rbb: NDArray[np.float64],
    grb: NDArray[np.int64],
    gbb: NDArray[np.float64],
    ia: NDArray[np.int64],
    ib: NDArray[np.int64],
    area: NDArray[np.float64],
    ok: NDArray[np.bool_],
) -> None:
    """Area of every pair (geometry ``ia[k]`` of A, ``ib[k]`` of B) into ``area``/``ok``."""
    most = 1
    for g in range(len(gra) - 1):
        most = max(most, roa[gra[g + 1]] - roa[gra[g]])
    for g in range(len(grb) - 1):
        most = max(most, rob[grb[g + 1]] - rob[grb[g]])
    # Scratch, reused pair after pair: per vertex of A and B the edge's inside share and net
    # crossings; per edge near the overlap its shifted ends, orientation factor and vertex.
    frac_a, net_a = np.zeros(most), np.zeros(most, np.int64)
    frac_b, net_b = np.zeros(most), np.zeros(most, np.int64)
    ea, eb = np.empty((most, 4)), np.empty((most, 4))
    sa, sb = np.empty(most), np.empty(most)
    va, vb = np.empty(most, np.int64), np.empty(most, np.int64)
    for k in range(len(ia)):
        g, h = ia[k], ib[k]
        ax0, ay0, ax1, ay1 = gba[g, 0], gba[g, 1], gba[g, 2], gba[g, 3]
        bx0, by0, bx1, by1 = gbb[h, 0], gbb[h, 1], gbb[h, 2], gbb[h, 3]
        ix0, iy0, ix1, iy1 = max(ax0, bx0), max(ay0, by0), min(ax1, bx1), min(ay1, by1)
        if not (ix0 <= ix1 and iy0 <= iy1):  # boxes apart, or a side without rings
            area[k], ok[k] = 0.0, True
            continue
        extent = max(max(ax1, bx1) - min(ax0, bx0), max(ay1, by1) - min(ay0, by0))
        magnitude = max(max(abs(ax0), abs(ay0)), max(abs(ax1), abs(ay1)))
        magnitude = max(magnitude, max(max(abs(bx0), abs(by0)), max(abs(bx1), abs(by1))))
        tol = _REL_EXTENT * extent + _REL_COORD * magnitude
        ox, oy = 0.5 * (ix0 + ix1), 0.5 * (iy0 + iy1)  # the pair's origin: small coordinates
        box = (ix0 - ox - tol, iy0 - oy - tol, ix1 - ox + tol, iy1 - oy + tol)
        na = _near_edges(xa, roa, fa, rba, gra[g], gra[g + 1], ox, oy, box, ea, sa, va)
        nb = _near_edges(xb, rob, fb, rbb, grb[h], grb[h + 1], ox, oy, box, eb, sb, vb)
        base_a, base_b = roa[gra[g]], rob[grb[h]]
        frac_a[: roa[gra[g + 1]] - base_a] = 0.0
        net_a[: roa[gra[g + 1]] - base_a] = 0
        frac_b[: rob[grb[h + 1]] - base_b] = 0.0
        net_b[: rob[grb[h + 1]] - base_b] = 0
        fine = _crossings(ea, sa, va, na, eb, sb, vb, nb, tol, base_a, base_b, frac_a, net_a, frac_b, net_b)
        twice_a = np.nan
        twice_b = np.nan
        if fine:
            twice_a = _inside_sum(xa, roa, fa, rba, gra[g], gra[g + 1], frac_a, net_a, base_a,
                                  xb, rob, rbb, grb[h], grb[h + 1], gbb[h], ox, oy, box, tol)  # fmt: skip
        if fine and twice_a == twice_a:
            twice_b = _inside_sum(xb, rob, fb, rbb, grb[h], grb[h + 1], frac_b, net_b, base_b,
                                  xa, roa, rba, gra[g], gra[g + 1], gba[g], ox, oy, box, tol)  # fmt: skip
        value = 0.5 * (twice_a + twice_b)
        if value == value and value > -tol * extent:  # NaN: degenerate; below: not a clean sum
            area[k], ok[k] = max(value, 0.0), True
        else:
            area[k], ok[k] = np.nan, False


def _near_edges(
    xy: NDArray[np.float64],
    ring_off: NDArray[np.int64],
    factor: NDArray[np.float64],
    ring_box: NDArray[np.float64],
    r0: int,
    r1: int,
    ox: float,
    oy: float,
    box: tuple[float, float, float, float],
    edges: NDArray[np.float64],
    side: NDArray[np.float64],
    vertex: NDArray[np.int64],
) -> int:
    """Edges (shifted to the origin) that meet ``box``; zero-length ones carry nothing."""
    n = 0
    for r in range(r0, r1):
        if ring_box[r, 2] - ox < box[0] or ring_box[r, 0] - ox > box[2]:
            continue
        if ring_box[r, 3] - oy < box[1] or ring_box[r, 1] - oy > box[3]:
            continue
        for i in range(ring_off[r], ring_off[r + 1] - 1):
            x0, y0 = xy[i, 0] - ox, xy[i, 1] - oy
            x1, y1 = xy[i + 1, 0] - ox, xy[i + 1, 1] - oy
            if max(x0, x1) < box[0] or min(x0, x1) > box[2] or max(y0, y1) < box[1] or min(y0, y1) > box[3]:
                continue
            if x0 == x1 and y0 == y1:
                continue
            edges[n, 0], edges[n, 1], edges[n, 2], edges[n, 3] = x0, y0, x1, y1
            side[n] = factor[r]
            vertex[n] = i
            n += 1
    return n


def _crossings(
    ea: NDArray[np.float64],
    sa: NDArray[np.float64],
    va: NDArray[np.int64],
    na: int,
    eb: NDArray[np.float64],
    sb: NDArray[np.float64],
    vb: NDArray[np.int64],
    nb: int,
    tol: float,
    base_a: int,
    base_b: int,
    frac_a: NDArray[np.float64],
    net_a: NDArray[np.int64],
    frac_b: NDArray[np.float64],
    net_b: NDArray[np.int64],
) -> bool:
    """Where A's edges cross B's: each crossing enters or leaves the other polygon.

    An edge entering at share ``t`` of its length adds ``1 − t`` to its inside share, one leaving
    takes it away; ``net`` counts entries less exits. False when an end of one edge lies within
    ``tol`` of the other edge: degenerate. Orientation signs are exact far below ``tol``
    (rounding is ~1e-16 of the shifted coordinates), so ``tol`` is a wide margin.
    """
    tol2 = tol * tol
    for i in range(na):
        px0, py0, px1, py1 = ea[i, 0], ea[i, 1], ea[i, 2], ea[i, 3]
        pdx, pdy = px1 - px0, py1 - py0
        lp2 = pdx * pdx + pdy * pdy
        pl, ph = min(px0, px1) - tol, max(px0, px1) + tol
        pb, pt = min(py0, py1) - tol, max(py0, py1) + tol
        for j in range(nb):
            qx0, qy0, qx1, qy1 = eb[j, 0], eb[j, 1], eb[j, 2], eb[j, 3]
            if max(qx0, qx1) < pl or min(qx0, qx1) > ph or max(qy0, qy1) < pb or min(qy0, qy1) > pt:
                continue
            qdx, qdy = qx1 - qx0, qy1 - qy0
            lq2 = qdx * qdx + qdy * qdy
            o1 = qdx * (py0 - qy0) - qdy * (px0 - qx0)  # |q| × signed distance of p0 from q's line
            o2 = qdx * (py1 - qy0) - qdy * (px1 - qx0)
            o3 = pdx * (qy0 - py0) - pdy * (qx0 - px0)
            o4 = pdx * (qy1 - py0) - pdy * (qx1 - px0)
            if o1 * o1 <= tol2 * lq2 and _on_segment(px0 - qx0, py0 - qy0, qdx, qdy, lq2, tol):
                return False
            if o2 * o2 <= tol2 * lq2 and _on_segment(px1 - qx0, py1 - qy0, qdx, qdy, lq2, tol):
                return False
            if o3 * o3 <= tol2 * lp2 and _on_segment(qx0 - px0, qy0 - py0, pdx, pdy, lp2, tol):
                return False
            if o4 * o4 <= tol2 * lp2 and _on_segment(qx1 - px0, qy1 - py0, pdx, pdy, lp2, tol):
                return False
            if (o1 > 0) == (o2 > 0) or (o3 > 0) == (o4 > 0):
                continue
            t = o1 / (o1 - o2)
            u = o3 / (o3 - o4)
            ia, ib = va[i] - base_a, vb[j] - base_b
            if (o2 > 0) == (sb[j] > 0):  # p ends on B's interior side: it enters B
                frac_a[ia] += 1.0 - t
                net_a[ia] += 1
            else:
                frac_a[ia] -= 1.0 - t
                net_a[ia] -= 1
            if (o4 > 0) == (sa[i] > 0):
                frac_b[ib] += 1.0 - u
                net_b[ib] += 1
            else:
                frac_b[ib] -= 1.0 - u
                net_b[ib] -= 1
    return True


def _on_segment(dx: float, dy: float, sx: float, sy: float, ls2: float, tol: float) -> bool:
    """Whether a point (``dx, dy`` from the segment's start) near the segment's line lies along
    the segment (``sx, sy``), give or take ``tol``.

    Only such a point makes a pair degenerate. One near the line beyond the segment's ends can
    not make a crossing appear or vanish: the signs of the other orientations decide, and they
    are tested the same way.
    """
    along = dx * sx + dy * sy  # |s| × the distance along the segment
    slack = tol * np.sqrt(ls2)
    return bool(-slack <= along <= ls2 + slack)


def _inside_sum(
    xy: NDArray[np.float64],
    ring_off: NDArray[np.int64],
    factor: NDArray[np.float64],
    ring_box: NDArray[np.float64],
    r0: int,
    r1: int,
    frac: NDArray[np.float64],
    net: NDArray[np.int64],
    base: int,
    oxy: NDArray[np.float64],
    o_ring_off: NDArray[np.int64],
    o_ring_box: NDArray[np.float64],
    o0: int,
    o1: int,
    o_box: NDArray[np.float64],
    ox: float,
    oy: float,
    box: tuple[float, float, float, float],
    tol: float,
) -> float:
    """Twice the area of this polygon's boundary inside the other one's: Σ cross × inside share.

    A ring away from the overlap box is outside the other polygon all along. NaN when the
    inside status leaves 0–1 or does not come back to where it started: not a clean pair.
    """
    total = 0.0
    for r in range(r0, r1):
        if ring_box[r, 2] - ox < box[0] or ring_box[r, 0] - ox > box[2]:
            continue
        if ring_box[r, 3] - oy < box[1] or ring_box[r, 1] - oy > box[3]:
            continue
        lo, hi = ring_off[r], ring_off[r + 1]
        start = _inside(
            xy[lo, 0] - ox, xy[lo, 1] - oy, oxy, o_ring_off, o_ring_box, o0, o1, o_box, ox, oy, tol
        )
        if start < 0:
            return np.nan
        status = start
        ring = 0.0
        for i in range(lo, hi - 1):
            x0, y0 = xy[i, 0] - ox, xy[i, 1] - oy
            x1, y1 = xy[i + 1, 0] - ox, xy[i + 1, 1] - oy
            share = status + frac[i - base]
            if share != 0.0:
                ring += (x0 * y1 - x1 * y0) * share
            status += net[i - base]
            if status < 0 or status > 1:
                return np.nan
        if status != start:
            return np.nan
        total += factor[r] * ring
    return total


def _inside(
    x: float,
    y: float,
    xy: NDArray[np.float64],
    ring_off: NDArray[np.int64],
    ring_box: NDArray[np.float64],
    r0: int,
    r1: int,
    geom_box: NDArray[np.float64],
    ox: float,
    oy: float,
    tol: float,
) -> int:
    """1 if (x, y) (shifted) is inside the polygon (even–odd over its rings), 0 if not, −1 if on
    or within ``tol`` of an edge the ray test depends on."""
    if x + ox < geom_box[0] - tol or x + ox > geom_box[2] + tol:
        return 0
    if y + oy < geom_box[1] - tol or y + oy > geom_box[3] + tol:
        return 0
    tol2 = tol * tol
    inside = 0
    for r in range(r0, r1):
        if ring_box[r, 3] - oy < y or ring_box[r, 1] - oy > y:
            continue  # the horizontal ray through (x, y) misses this ring
        for j in range(ring_off[r], ring_off[r + 1] - 1):
            qx0, qy0 = xy[j, 0] - ox, xy[j, 1] - oy
            qx1, qy1 = xy[j + 1, 0] - ox, xy[j + 1, 1] - oy
            if (qy0 > y) == (qy1 > y):
                continue
            qdx, qdy = qx1 - qx0, qy1 - qy0
            o = qdx * (y - qy0) - qdy * (x - qx0)
            if o * o <= tol2 * (qdx * qdx + qdy * qdy):
                return -1
            if (o > 0) == (qy1 > qy0):  # the edge crosses the ray to the right of the point
                inside ^= 1
    return inside
