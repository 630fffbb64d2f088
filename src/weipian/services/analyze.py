"""``weipian analyze``: the desk comparison (内业比对) of every patch against every current layer.

Patches are cut into spatially compact chunks; each chunk is one task (``analyze_chunk``) run in
a local process pool or on a Dask cluster, and its results are written in a transaction of their
own as soon as it returns, so a long run can be stopped and its finished chunks stay valid.
"""

from __future__ import annotations

import multiprocessing
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import shapely
from sqlalchemy import delete, func, insert, select, update

from weipian.analysis.area import AreaMethod
from weipian.analysis.desk import spatial_chunks
from weipian.analysis.green import warm
from weipian.analysis.overlay import patch_centre
from weipian.domain import clock
from weipian.services.analyze_chunk import (
    ANALYSED_KINDS,
    ChunkFacts,
    ChunkTask,
    analyze_chunk,
    release_stores,
)
from weipian.services.common import Progress, no_progress
from weipian.storage.bulk import bulk_insert
from weipian.storage.layers import current_layer, layer_planes
from weipian.storage.patches import filter_batch
from weipian.storage.store import Store
from weipian.storage.tables import analysis_runs, patch_facts, patch_overlaps, patches


@dataclass
class AnalysisSummary:
    """What ``weipian analyze --json`` prints."""

    run_id: int = 0
    patches: int = 0
    chunks: int = 0
    engine: str = ""
    area_method: str = ""
    layers: dict[str, int] = field(default_factory=dict)
    missing_kinds: list[str] = field(default_factory=list)
    restricted: int = 0


def _chunks(ids: np.ndarray, geoms: np.ndarray, size: int) -> Iterator[list[int]]:  # type: ignore[type-arg]
    for members in spatial_chunks(geoms, size):
        yield sorted(int(i) for i in ids[members])


def analyze(
    store: Store,
    *,
    batch: str | None = None,
    workers: int = 2,
    scheduler: str | None = None,
    method: AreaMethod | None = None,
    chunk_size: int = 2000,
    progress: Progress = no_progress,
) -> AnalysisSummary:
    """Overlay the patches (of one batch, or all) with every current layer and store the figures."""
    method = method or AreaMethod()
    with store.reading() as session:  # one chunk is measured inline: no pool to start
        count = session.scalar(filter_batch(session, select(func.count(patches.c.id)), batch)) or 0
    with _pool(workers if count > chunk_size else 1, scheduler) as pool:
        tasks, layers, n = _plan(store, batch, method, chunk_size)
        engine = f"dask:{scheduler}" if scheduler else f"local:{workers}"
        summary = AnalysisSummary(
            patches=n, chunks=len(tasks), engine=engine, area_method=method.code, layers=layers,
            missing_kinds=[k for k in ANALYSED_KINDS if k not in layers],
        )  # fmt: skip
        with store.writing() as session:
            summary.run_id = session.execute(
                insert(analysis_runs)
                .values(
                    started_at=clock.now(), engine=engine, area_method=method.code,
                    layer_versions=layers, missing_kinds=summary.missing_kinds, patch_count=n,
                )
                .returning(analysis_runs.c.id)
            ).scalar_one()  # fmt: skip
        done = 0
        progress("内业比对", 0, n)
        for task, result in _run(tasks, pool, scheduler):
            _write(store, summary.run_id, task, result)
            summary.restricted += sum(result.facts["restricted"])
            done += len(task.patch_ids)
            progress("内业比对", done, n)
        with store.writing() as session:
            session.execute(
                update(analysis_runs)
                .where(analysis_runs.c.id == summary.run_id)
                .values(finished_at=clock.now())
            )
        return summary


def _plan(
    store: Store, batch: str | None, method: AreaMethod, chunk_size: int
) -> tuple[list[ChunkTask], dict[str, int], int]:
    """The chunks of the patches to measure, the current layer of each kind, and how many patches."""
    with store.reading() as session:
        query = select(patches.c.id, patches.c.wkb)
        query = filter_batch(session, query, batch)
        rows = session.execute(query.order_by(patches.c.id)).all()
        layers = {}
        for kind in ANALYSED_KINDS:
            layer = current_layer(session, kind)
            if layer is not None:
                layers[kind] = layer.id
        planes = layer_planes(session, list(layers.values()))
    ids = np.array([r.id for r in rows], dtype=np.int64)
    geoms = shapely.from_wkb([r.wkb for r in rows]) if rows else np.zeros(0, dtype=object)
    # Measure in the plane the layers were stored in (one county: one plane), so that only the
    # patches are projected; layers stored without a copy are projected into it a chunk at a time.
    centre = Counter(planes.values()).most_common(1)[0][0] if planes else patch_centre(geoms)
    planar = tuple(sorted(i for i, c in planes.items() if c == centre))
    tasks = [
        ChunkTask(store.url, chunk, layers, centre, method.code, planar=planar)
        for chunk in _chunks(ids, geoms, chunk_size)
    ]
    return tasks, layers, len(ids)


@contextmanager
def _pool(workers: int, scheduler: str | None) -> Iterator[ProcessPoolExecutor | None]:
    """The local worker processes, started before the parent reads and plans, or None.

    fork: the workers start at once (before the parent holds the patches) and open their own
    database connections; each loads the area kernel meanwhile, not on its first chunk.
    """
    if scheduler or workers <= 1:
        yield None
        return
    with ProcessPoolExecutor(
        workers, mp_context=multiprocessing.get_context("fork"), initializer=warm
    ) as pool:
        pool.submit(int)  # starts them
        yield pool


def _run(
    tasks: list[ChunkTask], pool: ProcessPoolExecutor | None, scheduler: str | None
) -> Iterator[tuple[ChunkTask, ChunkFacts]]:
    """Yield each task with its result as it finishes, from a Dask cluster, a pool, or inline."""
    if scheduler:
        from weipian.services.analyze_dask import run_on_dask

        yield from run_on_dask(tasks, scheduler)
    elif pool is None or len(tasks) <= 1:
        try:
            for task in tasks:
                yield task, analyze_chunk(task)
        finally:
            release_stores()  # inline: close this process's chunk engine with the run
    else:
        yield from zip(tasks, pool.map(analyze_chunk, tasks), strict=True)


def _write(store: Store, run_id: int, task: ChunkTask, result: ChunkFacts) -> None:
    """Replace the chunk's patches' facts and overlaps in one transaction."""
    now = clock.now()
    n = len(result.facts["patch_id"])
    facts = {**result.facts, "run_id": [run_id] * n, "stale": [False] * n, "computed_at": [now] * n}
    overlaps = {**result.overlaps, "run_id": [run_id] * len(result.overlaps["patch_id"])}
    with store.writing() as session:
        session.execute(delete(patch_overlaps).where(patch_overlaps.c.patch_id.in_(task.patch_ids)))
        session.execute(delete(patch_facts).where(patch_facts.c.patch_id.in_(task.patch_ids)))
        bulk_insert(session, patch_facts, facts)
        if overlaps["patch_id"]:
            bulk_insert(session, patch_overlaps, overlaps)
