"""Patch intake: ``weipian import`` of a 100,000-patch ministry package against pyogrio's bare read.

Run ``.venv/bin/python benchmarks/bench_intake.py [--patches 100000]``. The package is the demo
county's ministry delivery (zipped GBK shapefile in EPSG:4527), made once and kept under
``benchmarks/.data``. Contenders, one process each, same file:

- pyogrio ``read_dataframe`` and ``read_arrow`` of the package: reading alone, the baseline;
- weipian import into a fresh SQLite store with the townships and prior-patch layers loaded
  (so township assignment and same-place links run too), and into PostGIS when
  ``WEIPIAN_TEST_POSTGRES_URL`` is set.

Writes the "## Patch intake" section of docs/performance.md (ratios, not only seconds).
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import sys
import time
import uuid
from pathlib import Path

import pyogrio

from weipian.demo.county import write_demo
from weipian.domain.layers import LayerKind
from weipian.domain.sources import Source
from weipian.services.admin import init_store
from weipian.services.intake import IntakeOptions, import_package
from weipian.services.layers import import_layer
from weipian.storage.store import Store

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "benchmarks" / ".data"
DOC = ROOT / "docs" / "performance.md"
SECTION = "## Patch intake"
REGION = (117.8, 24.4, 118.9, 25.5)


def demo(patches: int) -> Path:
    """The demo county whose ministry package holds about ``patches`` patches (60 % of the total)."""
    target = DATA / f"intake-{patches}"
    if not (target / "ministry_2022_01.zip").exists():
        write_demo(target, seed=7, patches=int(patches / 0.6), parcels=20_000)
    return target


def best_of(runs: int, fn) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def fresh_store(url: str, data: Path, layers: bool = True) -> Store:
    store = Store(url)
    init_store(store)
    if layers:
        import_layer(store, data / "townships.gpkg", LayerKind.townships, region=REGION)
        import_layer(store, data / "prior_patches.gpkg", LayerKind.prior_patches, region=REGION)
    return store


def time_import(url_for_run, data: Path, runs: int, layers: bool = True) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    times, accepted = [], 0
    for _ in range(runs):
        store = fresh_store(url_for_run(), data, layers)
        t = time.perf_counter()
        summary = import_package(
            store, data / "ministry_2022_01.zip", IntakeOptions(source=Source.ministry, region=REGION)
        )
        times.append(time.perf_counter() - t)
        accepted = summary.accepted
        store.dispose()
    return min(times), accepted


def pg_url() -> str | None:
    base = os.environ.get("WEIPIAN_TEST_POSTGRES_URL")
    if not base:
        return None
    from sqlalchemy import create_engine, text

    schema = f"bench_{uuid.uuid4().hex[:8]}"
    with create_engine(base).begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{schema},public"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--patches", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    data = demo(args.patches)
    pkg = data / "ministry_2022_01.zip"
    read_df = best_of(args.runs, lambda: pyogrio.read_dataframe(pkg, encoding="GBK"))
    read_arrow = best_of(args.runs, lambda: pyogrio.read_arrow(pkg, encoding="GBK"))
    tmp = DATA / "stores"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    counter = iter(range(1000))
    sqlite_bare, _ = time_import(
        lambda: f"sqlite:///{tmp / f'{next(counter)}.db'}", data, args.runs, layers=False
    )
    sqlite_s, n = time_import(lambda: f"sqlite:///{tmp / f'{next(counter)}.db'}", data, args.runs)
    rows = [
        ("pyogrio `read_dataframe` (baseline)", read_df),
        ("pyogrio `read_arrow`", read_arrow),
        (
            "weipian import → SQLite, no reference layers (no township overlay, no same-place match)",
            sqlite_bare,
        ),
        ("weipian import → SQLite, with townships and prior patches", sqlite_s),
    ]
    if os.environ.get("WEIPIAN_TEST_POSTGRES_URL"):
        pg_s, _ = time_import(pg_url, data, args.runs)
        rows.append(("weipian import → PostGIS (COPY), with townships and prior patches", pg_s))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    load = os.getloadavg()[0]
    lines = [
        SECTION,
        "",
        f"`benchmarks/bench_intake.py --patches {args.patches}`, run {time.strftime('%Y-%m-%d')} on "
        f"{os.cpu_count()} cores, Python {platform.python_version()}; best of {args.runs}; load average "
        f"{load:.1f} at the end. Package: the demo ministry delivery, {n:,} patches, zipped GBK shapefile "
        f"in EPSG:4527 ({pkg.stat().st_size / 1e6:.0f} MB). The import includes reading, field mapping, "
        "repair, reprojection, ellipsoidal area, township assignment against 27 townships, same-place "
        "matching against the prior-patch layer, and the one-transaction write with its spatial index.",
        "",
        "| contender | s | ÷ baseline |",
        "|---|---|---|",
        *[f"| {name} | {s:.2f} | {s / read_df:.2f} |" for name, s in rows],
        "",
        f"Target: the import within 3× of pyogrio reading the same file. Peak RSS of this process "
        f"{peak:,.0f} MB. The like-for-like figure is the import without reference layers (read, field "
        "mapping, repair, reprojection, area, one-transaction write and spatial index); loading the "
        "townships and prior patches adds two overlays the baseline does not do — the township share of "
        "every patch and same-place matching against the prior-year layer — and costs the difference.",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    if not args.no_write:
        replace_section(text, SECTION)


NOTES = "<!-- written by hand from here to the next section: a benchmark run keeps it -->"


def replace_section(text: str, section: str = SECTION) -> None:
    """Replace the ``section`` heading's part of docs/performance.md with ``text`` (or append it).

    What follows a :data:`NOTES` line in the section (analysis written by hand) is kept.
    """
    doc = DOC.read_text() if DOC.exists() else "# Performance\n"
    start = doc.find(section)
    if start < 0:
        doc = doc.rstrip("\n") + "\n\n" + text
    else:
        end = doc.find("\n## ", start + len(section))
        end = len(doc) if end < 0 else end
        notes = doc.find(NOTES, start, end)
        kept = "" if notes < 0 else "\n" + doc[notes:end].rstrip("\n") + "\n"
        doc = doc[:start] + text + kept + doc[end:]
    DOC.write_text(doc)


if __name__ == "__main__":
    sys.exit(main())
