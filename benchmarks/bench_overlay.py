"""Desk-comparison overlay: our engine against geopandas and the bare-intersection floor.

Run ``.venv/bin/python benchmarks/bench_overlay.py [--patches N --parcels M]``; it rewrites the
"## Desk comparison overlay" section of docs/performance.md. ``--scale`` times our engine alone at
10k and 100k patches against a larger layer (``--scale-parcels``) and reports peak memory.

Synthetic, seeded data at Nan'an (118.4°E, 24.9°N): a tiling of parcels on a jittered 80 m grid
(32 vertices each, edges shared exactly with neighbours, DLBM-like codes) and star-shaped patches of
200 m² to 3 ha (log-uniform) scattered over it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import platform
import resource
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import shapely

from weipian.analysis.area import _laea, project_equal_area  # _laea: the very same plane
from weipian.analysis.overlay import overlay, overlay_batches, patch_centre, sum_by
from weipian.analysis.overlay_parallel import overlay_parallel

LON0, LAT0 = 118.4, 24.9
CELL = 80.0  # m
EDGE_POINTS = 7  # intermediate vertices per parcel edge: 4 + 4*7 = 32 vertices
M_PER_DEG_LON = 111_320.0 * np.cos(np.radians(LAT0))
M_PER_DEG_LAT = 110_574.0
DLBM = np.array(
    [
        "0101",
        "0102",
        "0103",
        "0201",
        "0202",
        "0301",
        "0305",
        "0404",
        "0601",
        "0701",
        "0702",
        "1003",
        "1006",
        "1101",
        "1104",
        "1202",
        "1206",
    ]
)
DLBM_WEIGHTS = np.array([12, 3, 6, 5, 4, 30, 3, 4, 3, 3, 9, 2, 4, 2, 3, 4, 3], float)
SECTION = "## Desk comparison overlay"
DOC = Path(__file__).resolve().parents[1] / "docs" / "performance.md"


def _to_lonlat(xy: np.ndarray) -> np.ndarray:
    out = np.empty_like(xy)
    out[..., 0] = LON0 + xy[..., 0] / M_PER_DEG_LON
    out[..., 1] = LAT0 + xy[..., 1] / M_PER_DEG_LAT
    return out


def make_parcels(n: int, seed: int = 42) -> tuple[np.ndarray, np.ndarray, float]:
    """About ``n`` parcels tiling a square; returns (geoms lon/lat, DLBM codes, side in metres)."""
    rng = np.random.default_rng(seed)
    side = max(1, round(np.sqrt(n)))
    nx = ny = side
    k = EDGE_POINTS
    gx, gy = np.meshgrid(np.arange(nx + 1) * CELL, np.arange(ny + 1) * CELL)
    nodes = np.stack([gx, gy], axis=-1) + rng.uniform(-0.2, 0.2, (ny + 1, nx + 1, 2)) * CELL
    t = (np.arange(1, k + 1) / (k + 1))[None, None, :, None]

    def edge_points(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        d = b - a
        normal = np.stack([-d[..., 1], d[..., 0]], axis=-1) / np.linalg.norm(d, axis=-1)[..., None]
        wiggle = rng.uniform(-0.05, 0.05, (*a.shape[:2], k, 1)) * CELL
        points: np.ndarray = a[:, :, None, :] + t * d[:, :, None, :] + wiggle * normal[:, :, None, :]
        return points

    horiz = edge_points(nodes[:, :-1], nodes[:, 1:])  # (ny+1, nx, k, 2)
    vert = edge_points(nodes[:-1, :], nodes[1:, :])  # (ny, nx+1, k, 2)
    geoms = np.empty(nx * ny, dtype=object)
    band = max(1, 200_000 // nx)
    for j0 in range(0, ny, band):
        j = slice(j0, min(j0 + band, ny))
        ring = np.concatenate(
            [
                nodes[j, :-1, None],
                horiz[j, :],
                nodes[j, 1:, None],
                vert[j, 1:],
                nodes[j.start + 1 : j.stop + 1, 1:, None],
                horiz[j.start + 1 : j.stop + 1, :, ::-1],
                nodes[j.start + 1 : j.stop + 1, :-1, None],
                vert[j, :-1, ::-1],
                nodes[j, :-1, None],
            ],
            axis=2,
        )
        geoms[j0 * nx : j.stop * nx] = shapely.polygons(_to_lonlat(ring.reshape(-1, 4 * k + 5, 2)))
    codes = rng.choice(DLBM, size=len(geoms), p=DLBM_WEIGHTS / DLBM_WEIGHTS.sum())
    return geoms, codes, side * CELL


def make_patches(
    n: int, extent: float, seed: int = 7, sizes: tuple[float, float] = (200, 30_000)
) -> np.ndarray:
    """``n`` star-shaped patches of ``sizes`` m² (log-uniform) inside a square of ``extent`` m."""
    rng = np.random.default_rng(seed)
    m = 12
    target = np.exp(rng.uniform(np.log(sizes[0]), np.log(sizes[1]), n))
    angles = (np.arange(m) + rng.uniform(-0.3, 0.3, (n, m))) * (2 * np.pi / m)
    radii = rng.uniform(0.7, 1.3, (n, m))
    ring = np.stack([radii * np.cos(angles), radii * np.sin(angles)], axis=-1)
    unit = shapely.area(shapely.polygons(ring))
    ring *= np.sqrt(target / unit)[:, None, None]
    margin = 150.0
    centres = rng.uniform(margin, extent - margin, (n, 2))
    ring = ring + centres[:, None, :]
    ring = np.concatenate([ring, ring[:, :1]], axis=1)
    patches: np.ndarray = shapely.polygons(_to_lonlat(ring))
    return patches


# --- contenders ------------------------------------------------------------------------------


REPEAT = 3


def _cpu() -> float:
    """CPU seconds of this process and its reaped children (a pool's workers, once joined)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _timed(fn: Callable[[], Any], repeat: int = 1) -> tuple[float, Any, float]:
    """Best wall time and least CPU time of ``repeat`` runs, and the output.

    The machine is shared: the minimum wall time is the least disturbed run, and CPU time (which
    other jobs do not inflate much) says how much work an engine does.
    """
    wall, cpu, out = float("inf"), float("inf"), None
    for _ in range(repeat):
        gc.collect()
        c0, t0 = _cpu(), time.perf_counter()
        out = fn()
        wall, cpu = min(wall, time.perf_counter() - t0), min(cpu, _cpu() - c0)
    return wall, out, cpu


def ours(patches: np.ndarray, parcels: np.ndarray, codes: np.ndarray, **kw: Any) -> np.ndarray:
    result = overlay(patches, parcels, **kw)
    return sum_by(result, codes, classes=DLBM).area


def ours_parallel(patches: np.ndarray, parcels: np.ndarray, codes: np.ndarray, workers: int) -> np.ndarray:
    result = overlay_parallel(patches, parcels, workers=workers)
    return sum_by(result, codes, classes=DLBM).area


def _table(pid: np.ndarray, code: np.ndarray, area: np.ndarray, n: int) -> np.ndarray:
    import pandas as pd

    s = pd.Series(area).groupby([pid, code]).sum()
    wide = s.unstack(fill_value=0.0)  # type: ignore[arg-type]
    out: np.ndarray = wide.reindex(index=range(n), columns=DLBM, fill_value=0.0).to_numpy()
    return out


def geopandas_overlay(gp: Any, gf: Any, n: int) -> np.ndarray:
    import geopandas as gpd

    out = gpd.overlay(gp, gf, how="intersection")
    return _table(out["pid"].to_numpy(), out["DLBM"].to_numpy(), out.geometry.area.to_numpy(), n)


def sjoin_intersection(gp: Any, gf: Any, n: int) -> np.ndarray:
    import geopandas as gpd

    joined = gpd.sjoin(gp, gf, predicate="intersects", how="inner")
    right = gf.geometry.to_numpy()[joined["index_right"].to_numpy()]
    area = shapely.area(shapely.intersection(joined.geometry.to_numpy(), right))
    return _table(joined["pid"].to_numpy(), joined["DLBM"].to_numpy(), area, n)


def compare(n_patches: int, n_parcels: int, repeat: int = REPEAT) -> str:
    import geopandas as gpd

    t0 = time.perf_counter()
    parcels, codes, extent = make_parcels(n_parcels)
    patches = make_patches(n_patches, extent)
    gen = time.perf_counter() - t0
    print(f"generated {len(patches)} patches, {len(parcels)} parcels in {gen:.1f} s", flush=True)
    assert shapely.is_valid(parcels).all() and shapely.is_valid(patches).all()

    centre = patch_centre(patches)
    pp, fp = project_equal_area(patches, centre), project_equal_area(parcels, centre)
    gp = gpd.GeoDataFrame({"pid": np.arange(len(pp))}, geometry=pp)
    gf = gpd.GeoDataFrame({"DLBM": codes}, geometry=fp)
    gp_ll = gpd.GeoDataFrame({"pid": np.arange(len(pp))}, geometry=patches, crs=4490)
    gf_ll = gpd.GeoDataFrame({"DLBM": codes}, geometry=parcels, crs=4490)
    laea = _laea(*centre)
    tree = shapely.STRtree(fp)
    tree_ll = shapely.STRtree(parcels)
    pi, fi = tree.query(pp, predicate="intersects")
    a, b = pp[pi], fp[fi]
    n = len(patches)

    rows: list[tuple[str, float, float, str]] = []
    k = repeat

    def run(name: str, fn: Callable[[], Any], note: str) -> tuple[float, float, Any]:
        wall, out, cpu = _timed(fn, k)
        rows.append((name, wall, cpu, note))
        print(f"{name}: {wall:.2f} s wall, {cpu:.2f} s CPU", flush=True)
        return wall, cpu, out

    t_ours, c_ours, ref = run(
        "ours, 1 process (`overlay` + `sum_by`)",
        lambda: ours(patches, parcels, codes),
        "lon/lat in: tree, query, projection of candidates all timed",
    )
    t_par, _, r2 = run(
        "ours, 2-process fork pool (`overlay_parallel`)",
        lambda: ours_parallel(patches, parcels, codes, 2),
        "identical figures; CPU summed over processes",
    )
    assert np.array_equal(r2, ref)
    _, _, r3 = run(
        "ours without the contained-pair skip",
        lambda: ours(patches, parcels, codes, skip_contained=False),
        "same figures within 1e-9 m²",
    )
    assert np.allclose(r3, ref, rtol=0, atol=1e-9)
    t_gpd_all, c_gpd_all, _ = run(
        "`to_crs` + `geopandas.overlay` + groupby",
        lambda: geopandas_overlay(gp_ll.to_crs(laea), gf_ll.to_crs(laea), n),
        "lon/lat in, like ours: both layers projected whole",
    )
    t_gpd, c_gpd, gpd_table = run(
        "`geopandas.overlay` + groupby", lambda: geopandas_overlay(gp, gf, n), "projected input given"
    )
    _, _, sj = run(
        "`sjoin` + vectorised intersection + groupby",
        lambda: sjoin_intersection(gp, gf, n),
        "projected input given",
    )
    _, c_floor, _ = run(
        "floor: `shapely.intersection` of the candidate pairs",
        lambda: shapely.intersection(a, b),
        f"{len(pi):,} projected pairs given, nothing else",
    )
    skipped_main = _contained_share(patches, parcels, tree_ll)
    skip_rows = []
    for lo, hi in [(200, 30_000), (200, 2_000), (30_000, 300_000)]:
        sample = make_patches(2_000, extent, seed=lo, sizes=(lo, hi))
        on, off = float("inf"), float("inf")
        for _ in range(k):  # interleaved, so that a busy spell of the machine hits both
            on = min(on, _timed(partial(overlay, sample, parcels, tree=tree_ll))[2])
            off = min(off, _timed(partial(overlay, sample, parcels, tree=tree_ll, skip_contained=False))[2])
        skipped = _contained_share(sample, parcels, tree_ll)
        skip_rows.append(f"| {lo:,}–{hi:,} m² | {skipped:.0%} | {on:.2f} | {off:.2f} | {off / on:.2f} |")

    big = gpd_table > 1.0
    rel = np.abs(ref - gpd_table)[big] / gpd_table[big]
    absdiff = float(np.abs(ref - gpd_table).max())
    ok = bool(rel.max(initial=0) <= 1e-6)
    assert np.allclose(sj, gpd_table, rtol=1e-6, atol=1e-6)
    covered = (ref.sum(axis=1) > 0).mean()

    lines = [
        SECTION,
        "",
        f"`benchmarks/bench_overlay.py --patches {n_patches} --parcels {n_parcels}`, run "
        f"{dt.date.today().isoformat()} on {_machine()}; load average {os.getloadavg()[0]:.1f} at the "
        f"end (the machine is shared). Best of {k} runs each. One process, same data, same equal-area "
        "plane for every contender; each produces the per-patch area table by DLBM class.",
        "",
        f"Data: {len(patches):,} patches (200 m²–3 ha), {len(parcels):,} parcels (32 vertices, "
        f"~{CELL:.0f} m tiling), {len(pi):,} intersecting pairs, {covered:.0%} of patches on parcels.",
        "",
        "| engine | wall s | CPU s | wall ÷ ours | CPU ÷ ours | notes |",
        "|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {name} | {wall:.2f} | {cpu:.2f} | {wall / t_ours:.2f} | {cpu / c_ours:.2f} | {note} |"
        for name, wall, cpu, note in rows
    ]
    lines += [
        "",
        f"Agreement with `geopandas.overlay`: max relative difference {rel.max(initial=0):.1e} over "
        f"class areas above 1 m², max absolute {absdiff:.1e} m² — "
        + ("within 1e-6 relative." if ok else "**OUTSIDE 1e-6 relative.**"),
        "",
        f"**Ours against `geopandas.overlay` + groupby, both from lon/lat: {t_gpd_all / t_ours:.1f}× "
        f"faster in one process (CPU {c_gpd_all / c_ours:.1f}×), {t_gpd_all / t_par:.1f}× with two "
        f"processes. Given geopandas projected input for free: {t_gpd / t_ours:.1f}× (CPU "
        f"{c_gpd / c_ours:.1f}×) and {t_gpd / t_par:.1f}×.** Target: 3×.",
        "",
        f"Where ours spends its time: the floor's work is {c_floor / c_ours:.0%} of ours (GEOS "
        "intersecting the pairs whose boundaries cross; no engine goes below it except by skipping "
        "pairs or adding processes); the rest is building the tree, the intersects query and "
        "projecting the patches and the *candidate* parcels from lon/lat, where geopandas must "
        f"project the whole layer. Skipping contained pairs saves little here ({skipped_main:.0%} of "
        "the pairs; see below).",
        "",
        "Timings on this shared 2-vCPU machine vary by about ±20 % between runs (other sessions' "
        "jobs, and the two vCPUs slow each other: two CPU-bound processes each run 20–30 % slower "
        "than one alone, so the pool gains 1.3–1.5×, not 2×). Read CPU seconds for the work done, "
        "wall seconds for the pool, and ratios near a target with that margin.",
        "",
        "Does skipping contained pairs pay? 2,000 patches of each size range over the same parcels, "
        "one process, CPU seconds:",
        "",
        "| patch sizes | pairs skipped | skip on | skip off | off ÷ on |",
        "|---|---|---|---|---|",
        *skip_rows,
        "",
    ]
    return "\n".join(lines)


def _contained_share(patches: np.ndarray, parcels: np.ndarray, tree: Any) -> float:
    """Share of intersecting pairs where one side covers the other (the pairs the skip avoids)."""
    pi, fi = tree.query(patches, predicate="intersects")
    a, b = patches[pi], parcels[fi]
    return float((shapely.covers(a, b) | shapely.covers(b, a)).mean()) if len(pi) else 0.0


# --- scale mode ------------------------------------------------------------------------------


def _peak_mb() -> tuple[float, float]:
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return me, kids


def scale(n_parcels: int, sizes: list[int], workers: int) -> str:
    t0 = time.perf_counter()
    parcels, codes, extent = make_parcels(n_parcels)
    gen = time.perf_counter() - t0
    after_gen = _peak_mb()[0]
    print(f"generated {len(parcels)} parcels in {gen:.1f} s, peak {after_gen:.0f} MB", flush=True)
    t_tree, tree, _ = _timed(lambda: shapely.STRtree(parcels))
    lines = [
        "### Scaling, our engine only",
        "",
        f"`benchmarks/bench_overlay.py --scale --scale-parcels {n_parcels}`, {_machine()}, "
        f"{dt.date.today().isoformat()}. {len(parcels):,} parcels generated in {gen:.0f} s "
        f"(process peak {after_gen:,.0f} MB after generation); tree built once in {t_tree:.1f} s and "
        "shared by the runs. Peak RSS is the high-water mark so far (`getrusage`); a forked worker's "
        "RSS counts the pages it shares with the parent.",
        "",
        "| engine | patches | pairs kept | wall s | CPU s | wall µs a patch | peak RSS parent / worker (MB) |",
        "|---|---|---|---|---|---|---|",
    ]
    batches = np.array_split(parcels, 10)
    single = partial(overlay, features=parcels, tree=tree)
    pooled = partial(overlay_parallel, features=parcels, tree=tree, workers=workers)
    runs: list[tuple[str, int, Callable[[np.ndarray], Any]]] = [
        *[("`overlay`, 1 process", n, single) for n in sizes],
        ("`overlay_batches`, 10 batches", sizes[0], partial(overlay_batches, feature_batches=batches)),
        *[(f"`overlay_parallel`, {workers} workers", n, pooled) for n in sizes],
    ]
    per_patch: dict[int, float] = {}
    for name, n, run in runs:
        patches = make_patches(n, extent, seed=n)
        t, result, cpu = _timed(partial(run, patches))
        if run is single:
            per_patch[n] = cpu / n
        sum_by(result, codes, classes=DLBM)
        me, kids = _peak_mb()
        print(f"{name} {n} patches: {t:.1f} s, {len(result)} rows, peak {me:.0f} / {kids:.0f} MB", flush=True)
        lines.append(
            f"| {name} | {n:,} | {len(result):,} | {t:.1f} | {cpu:.1f} | {t / n * 1e6:.0f} "
            f"| {me:,.0f} / {kids:,.0f} |"
        )
    me, kids = _peak_mb()
    growth = per_patch[sizes[-1]] / per_patch[sizes[0]]
    lines += [
        "",
        f"CPU time a patch in one process at {sizes[-1] // sizes[0]}× the patches: {growth:.2f}× "
        "(1.00 is linear; wall time follows it when the cores are free). Peak "
        f"RSS {max(me, kids) / 1024:.1f} GB against an 8 GB budget, most of it the parcels themselves "
        f"as shapely objects ({after_gen:,.0f} MB right after generating them); the overlay adds "
        "little. Streaming a larger layer: the caller reads GeoParquet row groups and passes them to "
        "`overlay_batches`, which holds one batch at a time (here the batches are slices of a layer "
        "already in memory, so only the time is shown). Load average "
        f"{os.getloadavg()[0]:.1f} at the end (the machine is shared).",
        "",
    ]
    return "\n".join(lines)


def _machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, shapely {shapely.__version__}"
    )


def write_section(compare_text: str | None = None, scale_text: str | None = None) -> None:
    """Rewrite our section of docs/performance.md (either part), keeping every other section."""
    doc = DOC.read_text() if DOC.exists() else "# Performance\n"
    start = doc.find(SECTION)
    before, after, old_compare, old_scale = doc, "", "", ""
    if start >= 0:
        end = doc.find("\n## ", start + len(SECTION))
        end = len(doc) if end < 0 else end + 1
        before, body, after = doc[:start], doc[start:end], doc[end:]
        cut = body.find("\n### Scaling")
        old_compare, old_scale = (body, "") if cut < 0 else (body[:cut], body[cut:])
    parts = [(compare_text or old_compare or SECTION).strip("\n"), (scale_text or old_scale).strip("\n")]
    section = "\n\n".join(p for p in parts if p) + "\n"
    doc = before.rstrip("\n") + "\n\n" + section + ("\n" + after.lstrip("\n") if after.strip() else "")
    DOC.parent.mkdir(exist_ok=True)
    DOC.write_text(doc)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--patches", type=int, default=5_000)
    ap.add_argument("--parcels", type=int, default=200_000)
    ap.add_argument("--scale", action="store_true", help="our engine only, 10k and 100k patches")
    ap.add_argument("--scale-parcels", type=int, default=2_000_000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=REPEAT, help="runs per contender; the best counts")
    ap.add_argument("--no-write", action="store_true", help="print, do not touch docs/performance.md")
    args = ap.parse_args(argv)
    if args.scale:
        text = scale(args.scale_parcels, [10_000, 100_000], args.workers)
    else:
        text = compare(args.patches, args.parcels, args.repeat)
    print(text)
    if not args.no_write:
        write_section(scale_text=text) if args.scale else write_section(compare_text=text)


if __name__ == "__main__":
    main()
