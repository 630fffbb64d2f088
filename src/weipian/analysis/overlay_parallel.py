"""Desk-comparison overlay over patch chunks in a fork-based process pool.

The layer, its STRtree and the patches are module globals set *before* the pool forks, so the
workers inherit them copy-on-write instead of receiving pickles (scattering 63k polygons cost more
than the overlay itself, STACK.md §1). Workers get only ``(start, stop)`` ranges and return small
:class:`~weipian.analysis.overlay.OverlayResult` arrays. Needs the ``fork`` start method (Linux).
"""

from __future__ import annotations

import gc
import math
import multiprocessing
import threading
from collections.abc import Callable

import numpy as np
import shapely
from numpy.typing import ArrayLike

from weipian.analysis.area import project_equal_area
from weipian.analysis.overlay import Geoms, OverlayResult, overlay, patch_centre

__all__ = ["overlay_parallel"]

# Inherited by forked workers; set under _LOCK for the life of one pool.
_PATCHES: Geoms | None = None
_FEATURES: Geoms | None = None
_TREE: shapely.STRtree | None = None
_CENTRE: tuple[float, float] = (0.0, 0.0)
_SKIP: bool = True
_MIN_AREA: float = 0.0
_LOCK = threading.Lock()


def _run_chunk(bounds: tuple[int, int]) -> OverlayResult:
    """Worker: overlay one range of the inherited patches (module-level so it pickles by name)."""
    assert _PATCHES is not None and _FEATURES is not None
    start, stop = bounds
    return overlay(
        _PATCHES[start:stop],
        _FEATURES,
        centre=_CENTRE,
        tree=_TREE,
        skip_contained=_SKIP,
        min_area=_MIN_AREA,
    )


def _default_chunk_size(n: int, workers: int) -> int:
    chunks = max(min(4 * workers, n // 1000), math.ceil(n / 5000), 1)
    if chunks > 1:
        chunks = math.ceil(chunks / workers) * workers
    return max(1, math.ceil(n / chunks))


def overlay_parallel(
    patches: ArrayLike,
    features: ArrayLike,
    *,
    workers: int = 2,
    chunk_size: int | None = None,
    centre: tuple[float, float] | None = None,
    tree: shapely.STRtree | None = None,
    progress: Callable[[int, int], None] | None = None,
    skip_contained: bool = True,
    min_area: float = 0.0,
) -> OverlayResult:
    """:func:`~weipian.analysis.overlay.overlay` over chunks of patches in ``workers`` processes.

    Parameters
    ----------
    patches, features, centre, tree, skip_contained, min_area
        As for :func:`~weipian.analysis.overlay.overlay` (``tree`` over ``features``); the plane
        is centred once for all chunks, so the result is identical to one ``overlay`` call.
    workers : int
        Processes; ``1`` runs the chunks in this process with no pool.
    chunk_size : int, optional
        Patches per task. By default up to four tasks a worker, a multiple of ``workers``, of
        1,000 to 5,000 patches: under 2,000 patches run in this process, since forking a large
        process costs about as much as overlaying 1,000 patches.
    progress : callable(done, total), optional
        Called in this process after each chunk, with patches done so far and in all.

    Examples
    --------
    >>> import numpy as np, shapely
    >>> parcels = np.array([shapely.box(118.4 + i * 1e-3, 24.9, 118.401 + i * 1e-3, 24.901)
    ...                     for i in range(10)])
    >>> patches = np.array([shapely.box(118.4005 + i * 1e-3, 24.9, 118.4015 + i * 1e-3, 24.901)
    ...                     for i in range(9)])
    >>> seen = []
    >>> r = overlay_parallel(patches, parcels, workers=2, chunk_size=4,
    ...                      progress=lambda done, total: seen.append((done, total)))
    >>> len(r), seen
    (18, [(4, 9), (8, 9), (9, 9)])
    >>> bool(np.allclose(np.bincount(r.patch_index, r.area), r.patch_area))
    True
    """
    global _PATCHES, _FEATURES, _TREE, _CENTRE, _SKIP, _MIN_AREA
    p = np.asarray(patches, dtype=object)
    f = np.asarray(features, dtype=object)
    n = len(p)
    centre = patch_centre(p) if centre is None else centre
    if n == 0 or len(f) == 0:
        return overlay(p, f, centre=centre, skip_contained=skip_contained, min_area=min_area)
    tree = shapely.STRtree(f) if tree is None else tree
    chunk_size = _default_chunk_size(n, workers) if chunk_size is None else max(1, chunk_size)
    ranges = [(s, min(s + chunk_size, n)) for s in range(0, n, chunk_size)]
    parts: list[OverlayResult] = []

    def _done(part: OverlayResult, stop: int) -> None:
        parts.append(part)
        if progress is not None:
            progress(stop, n)

    if workers <= 1 or len(ranges) == 1:
        for start, stop in ranges:
            part = overlay(
                p[start:stop], f, centre=centre, tree=tree, skip_contained=skip_contained, min_area=min_area
            )
            _done(part, stop)
        return OverlayResult.concat(parts)
    project_equal_area(p[:1], centre)  # build the cached transformer once, before the fork
    with _LOCK:
        _PATCHES, _FEATURES, _TREE = p, f, tree
        _CENTRE, _SKIP, _MIN_AREA = centre, skip_contained, min_area
        gc.freeze()  # keep the workers' garbage collector off the inherited pages (copy-on-write)
        try:
            context = multiprocessing.get_context("fork")
            with context.Pool(min(workers, len(ranges))) as pool:
                for (_, stop), part in zip(ranges, pool.imap(_run_chunk, ranges), strict=True):
                    _done(part, stop)
        finally:
            gc.unfreeze()
            _PATCHES = _FEATURES = _TREE = None
    return OverlayResult.concat(parts)
