"""Where a layer tiles the plane: features whose every edge another feature shares, reversed.

A 三调 layer is a tiling: neighbours share their edges vertex for vertex. Inside such a stretch
the features cover every point exactly as often as they cover any other, so the overlaps of a
patch there sum to the patch's area times that count, and one overlap can be had by subtraction
instead of an intersection (:func:`weipian.analysis.overlay.overlay_planar`).

Why the test is exact (no tolerance): let ``w(x)`` count the features containing ``x``. Crossing
an edge changes ``w`` by +1 for every feature whose boundary runs there with its interior on
the far side and −1 for every one with it on the near side. An edge found exactly twice, in
opposite directions (rings oriented interior-left), changes ``w`` by nothing. So if every edge of
every feature a connected patch meets is such an edge, ``w`` is constant over the patch — a gap,
an overlap or a misaligned neighbour anywhere in it leaves an edge unmatched. The caller still
counts ``w`` once, at a point inside the patch, to tell one layer of features from two stacked.
"""

from __future__ import annotations

import numpy as np
import shapely
from numpy.typing import NDArray

__all__ = ["sealed_features"]


def sealed_features(geoms: NDArray[np.object_]) -> NDArray[np.bool_]:
    """True for each feature whose every edge is another feature's edge, reversed, exactly once.

    Coordinates must be equal to the last bit (as a layer delivered as a tiling and projected
    with one transformation is); a near miss counts as unmatched, which only costs speed.

    >>> import numpy as np, shapely
    >>> grid = np.array([shapely.box(x, y, x + 1, y + 1) for x in range(3) for y in range(3)])
    >>> sealed_features(grid).tolist()  # only the middle cell has a neighbour on every side
    [False, False, False, False, True, False, False, False, False]
    >>> moved = grid.copy(); moved[3] = shapely.box(1, 0, 2, 1.1)  # overlaps its neighbour
    >>> sealed_features(moved)[4]
    np.False_
    """
    n = len(geoms)
    out = np.zeros(n, bool)
    present = np.flatnonzero(~shapely.is_missing(geoms) & ~shapely.is_empty(geoms))
    if len(present) == 0:
        return out
    oriented = shapely.orient_polygons(geoms[present])  # exteriors counter-clockwise, holes clockwise
    rings, owner = shapely.get_rings(oriented, return_index=True)
    xy, ring_of = shapely.get_coordinates(rings, return_index=True)
    # Index arrays and one hash a vertex rather than copies of the edges' coordinates: new
    # memory is the dear part here (8.8 million edges for 200,000 parcels).
    start = np.flatnonzero(ring_of[1:] == ring_of[:-1])
    bits = xy.view(np.uint64)
    vertex = bits[:, 0] * np.uint64(0x9E3779B97F4A7C15)
    vertex ^= vertex >> np.uint64(31)
    vertex += bits[:, 1] * np.uint64(0xC2B2AE3D27D4EB4F)
    vertex ^= vertex >> np.uint64(29)
    start = start[vertex[start] != vertex[start + 1]]  # repeated vertices: zero-length, no edge
    edge = vertex[start] + vertex[start + 1]  # the same for an edge and its reverse
    order = np.argsort(edge)
    start, edge = start[order], edge[order]
    first = np.ones(len(edge), bool)
    first[1:] = edge[1:] != edge[:-1]
    runs = np.flatnonzero(first)
    counts = np.diff(np.append(runs, len(edge)))
    good = counts == 2
    s, t = start[runs[good]], start[runs[good] + 1]
    # Reversed to the last bit (which also rules out hash collisions), and in two features.
    good[good] = (
        (xy[s] == xy[t + 1]).all(axis=1)
        & (xy[s + 1] == xy[t]).all(axis=1)
        & (owner[ring_of[s]] != owner[ring_of[t]])
    )
    sealed = np.ones(len(present), bool)
    sealed[owner[ring_of[start[~np.repeat(good, counts)]]]] = False
    out[present] = sealed
    return out
