"""Write a synthetic county at Nan'an's location: reference layers and patch packages (``weipian demo``).

The data are made up but shaped like real deliveries: a 三调 land-class layer that tiles the
county, township boundaries with the official codes, control and approval layers, earlier years'
patches, a ministry package (zipped GBK shapefile in Gauss–Krüger metres, no ``.cpg``, GBK member
names) and a provincial GeoPackage with Chinese column names. The same seed gives the same data.

Each file is written under a temporary name and renamed when complete, so an interrupted run
leaves no half-written file behind.
"""

from __future__ import annotations

import math
import os
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyarrow as pa
import pyogrio
import shapely

from weipian.analysis.area import ellipsoidal_area
from weipian.demo.approvals import approval_layers
from weipian.demo.calendar import REFERENCE_DAY, DemoCalendar, calendar_for
from weipian.demo.landuse import CHUNK, DLMC, ParcelChunk, parcel_chunks, plan_parcels
from weipian.demo.layers import Layer, control_layers, riverside_layer, township_layer, zone_cells
from weipian.demo.manifest import DemoManifest, DemoPackage
from weipian.demo.packages import (
    deal,
    ministry_layer,
    prior_layer,
    province_layer,
)
from weipian.demo.patches import make_priors, make_sites
from weipian.demo.readme import readme_text
from weipian.demo.world import World, build_world
from weipian.domain.layers import LayerKind
from weipian.domain.sources import Source
from weipian.domain.townships import COUNTY_CODE

__all__ = ["LAYER_FILES", "DemoManifest", "DemoPackage", "write_demo"]

Progress = Callable[[str, int, int], None]

LAYER_FILES: dict[LayerKind, str] = {kind: f"{kind.value}.gpkg" for kind in LayerKind}
GEOGRAPHIC = "EPSG:4490"


class _Steps:
    """Counts finished steps for the progress callback."""

    def __init__(self, progress: Progress | None, total: int) -> None:
        self.progress, self.total, self.done = progress, total, 0

    def advance(self, label: str, by: int = 1) -> None:
        self.done += by
        if self.progress is not None:
            self.progress(label, self.done, self.total)


def write_demo(
    dir: Path, *, seed: int = 42, patches: int = 600, parcels: int = 20000, progress: Progress | None = None,
    today: date = REFERENCE_DAY,
) -> DemoManifest:  # fmt: skip
    """Write the demo county into ``dir`` (created, files overwritten) and say what was written.

    Its dates follow ``today`` (``weipian demo`` passes the clock's day; see ``calendar.py``).

    ``progress(label, done, total)`` is called as steps finish; the land-class layer counts one
    step per 100 000 parcels.
    """
    if patches < 20 or parcels < 500:
        raise ValueError("the demo needs at least 20 patches and 500 parcels")
    dir.mkdir(parents=True, exist_ok=True)
    cal = calendar_for(today)
    rngs = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(7)]
    chunks = max(1, math.ceil(parcels / CHUNK))
    steps = _Steps(progress, total=7 + chunks)
    steps.advance("构建县域", 0)
    world = build_world(rngs[0])
    layers: dict[str, Path] = {}

    def put(kind: LayerKind, layer: Layer) -> None:
        layers[kind.value] = _write_layer(dir / LAYER_FILES[kind], world, layer)

    cells = zone_cells(world, rngs[1])
    towns = township_layer(world, cells, rngs[1])
    put(LayerKind.townships, towns)
    steps.advance("生成乡镇界线")
    for kind, layer in control_layers(world, cells, towns, rngs[1]).items():
        put(kind, layer)
    put(LayerKind.riverside, riverside_layer(world))
    steps.advance("生成管控图层")
    plan = plan_parcels(world, rngs[2], parcels)
    _write_landuse(dir, parcel_chunks(world, plan, rngs[2], chunks), steps)
    layers[LayerKind.landuse.value] = dir / LAYER_FILES[LayerKind.landuse]
    layers[LayerKind.basic_farmland.value] = dir / LAYER_FILES[LayerKind.basic_farmland]
    layers[LayerKind.stable_farmland.value] = dir / LAYER_FILES[LayerKind.stable_farmland]

    sites = make_sites(world, towns, rngs[3], patches)
    dealt = deal(sites, rngs[4], cal)
    priors = make_priors(world, dealt.geoms, dealt.tblx, ~dealt.bowtie, rngs[5], COUNTY_CODE, cal.year)
    put(LayerKind.prior_patches, prior_layer(world, towns, priors))
    steps.advance("生成卫片图斑")
    for kind, layer in approval_layers(
        world, towns, dealt.geoms, dealt.hsx, ~dealt.bowtie, rngs[6], cal
    ).items():
        put(kind, layer)
    steps.advance("生成审批图层")
    ministry = _write_ministry(
        dir / cal.ministry_file, world, ministry_layer(world, dealt, priors, rngs[4], cal), cal
    )
    steps.advance("写出部卫片图斑包")
    province = _write_layer(dir / cal.province_file, world, province_layer(world, towns, dealt, cal))
    steps.advance("写出省卫片图斑包")
    packages = [
        DemoPackage(ministry, Source.ministry.value, cal.ministry_batch, cal.ministry_issued, dealt.ministry),
        DemoPackage(
            province,
            Source.province.value,
            cal.province_batch,
            cal.province_issued,
            len(dealt.geoms) - dealt.ministry,
        ),
    ]
    with _staged(dir / "README.txt") as tmp:
        tmp.write_text(readme_text(seed, patches, parcels, packages, cal), encoding="utf-8")
    steps.advance("写出说明文件")
    return DemoManifest(dir, layers, packages)


@contextmanager
def _staged(final: Path) -> Iterator[Path]:
    """A temporary path next to ``final`` that replaces it only when the block succeeds."""
    tmp = final.with_name(f".{final.stem}.partial{final.suffix}")
    tmp.unlink(missing_ok=True)
    try:
        yield tmp
        os.replace(tmp, final)
    finally:
        tmp.unlink(missing_ok=True)


def _frame(layer: Layer, geoms: np.ndarray, crs: str) -> gpd.GeoDataFrame:  # type: ignore[type-arg]
    columns = dict(layer.columns)
    if layer.area_field:
        columns[layer.area_field] = list(np.round(ellipsoidal_area(geoms), 2))
    return gpd.GeoDataFrame(columns, geometry=geoms, crs=crs)


def _write_layer(path: Path, world: World, layer: Layer) -> Path:
    geoms = world.to_4490(layer.geoms)
    with _staged(path) as tmp:
        pyogrio.write_dataframe(
            _frame(layer, geoms, GEOGRAPHIC), tmp, layer=layer.name, driver="GPKG", promote_to_multi=True
        )
    return path


_LANDUSE = pa.schema(
    [("BSM", pa.int64()), ("DLBM", pa.string()), ("DLMC", pa.string()), ("CZCSXM", pa.string()),
     ("TBMJ", pa.float64()), ("geometry", pa.binary())]
)  # fmt: skip
_FARMLAND = pa.schema(
    [("BSM", pa.int64()), ("DLBM", pa.string()), ("DLMC", pa.string()), ("JBNTMJ", pa.float64()),
     ("geometry", pa.binary())]
)  # fmt: skip
_STABLE = pa.schema(
    [("BSM", pa.int64()), ("DLBM", pa.string()), ("DLMC", pa.string()), ("GDMJ", pa.float64()),
     ("geometry", pa.binary())]
)  # fmt: skip


def _write_landuse(dir: Path, chunks: Iterator[ParcelChunk], steps: _Steps) -> None:
    """Stream the parcels into landuse.gpkg (DLTB), then their 永久基本农田 into basic_farmland.gpkg
    and their 可以长期稳定利用耕地 into stable_farmland.gpkg.

    One streamed write lets GDAL build the spatial index once at the end, twice as fast as appends.
    """
    protected: list[pa.RecordBatch] = []
    stable: list[pa.RecordBatch] = []
    failed: list[BaseException] = []

    def batches() -> Iterator[pa.RecordBatch]:
        try:
            yield from _landuse_batches(chunks, protected, stable, steps)
        except BaseException as exc:  # GDAL only reports "error while accessing batch"
            failed.append(exc)
            raise

    options = {"driver": "GPKG", "geometry_name": "geometry", "geometry_type": "Polygon", "crs": GEOGRAPHIC}
    with _staged(dir / LAYER_FILES[LayerKind.landuse]) as lu_tmp:
        try:
            stream = pa.RecordBatchReader.from_batches(_LANDUSE, batches())
            pyogrio.write_arrow(stream, lu_tmp, layer="DLTB", **options)
        except RuntimeError:
            if failed:
                raise failed[0] from None
            raise
        with (
            _staged(dir / LAYER_FILES[LayerKind.basic_farmland]) as bf_tmp,
            _staged(dir / LAYER_FILES[LayerKind.stable_farmland]) as sf_tmp,
        ):
            pyogrio.write_arrow(
                pa.Table.from_batches(protected, schema=_FARMLAND), bf_tmp, layer="YJJBNTTB", **options
            )
            pyogrio.write_arrow(
                pa.Table.from_batches(stable, schema=_STABLE), sf_tmp, layer="WDLYGD", **options
            )


def _landuse_batches(
    chunks: Iterator[ParcelChunk],
    protected: list[pa.RecordBatch],
    stable: list[pa.RecordBatch],
    steps: _Steps,
) -> Iterator[pa.RecordBatch]:
    """Arrow batches of parcels; the 永久基本农田 ones are also collected into ``protected``, the
    可以长期稳定利用耕地 into ``stable``."""
    written = kept = kept_stable = 0
    for chunk in chunks:
        n, keep = len(chunk.geoms), chunk.basic_farmland
        names = np.array([DLMC[c] for c in chunk.dlbm], dtype=str)
        wkb = shapely.to_wkb(chunk.geoms)
        yield pa.record_batch(
            [np.arange(written + 1, written + n + 1), chunk.dlbm, names, chunk.czcsxm, chunk.area, wkb],
            schema=_LANDUSE,
        )
        m = int(keep.sum())
        protected.append(
            pa.record_batch(
                [
                    np.arange(kept + 1, kept + m + 1),
                    chunk.dlbm[keep],
                    names[keep],
                    chunk.area[keep],
                    wkb[keep],
                ],
                schema=_FARMLAND,
            )
        )
        s = chunk.stable_farmland
        ms = int(s.sum())
        stable.append(
            pa.record_batch(
                [
                    np.arange(kept_stable + 1, kept_stable + ms + 1),
                    chunk.dlbm[s],
                    names[s],
                    chunk.area[s],
                    wkb[s],
                ],
                schema=_STABLE,
            )
        )
        written, kept, kept_stable = written + n, kept + m, kept_stable + ms
        steps.advance("生成地类图斑")


class _GbkZipInfo(zipfile.ZipInfo):
    """A member name stored in GBK without the UTF-8 flag, as zips made on Chinese Windows are."""

    __slots__ = ()

    def _encodeFilenameFlags(self) -> tuple[bytes, int]:  # overrides zipfile's private encoder
        return self.filename.encode("gbk"), self.flag_bits & ~0x800


def _write_ministry(path: Path, world: World, layer: Layer, cal: DemoCalendar) -> Path:
    """A zipped GBK shapefile in EPSG:4527 without .cpg, its member names in GBK."""
    frame = _frame(layer, world.to_4527(layer.geoms), "EPSG:4527")
    with tempfile.TemporaryDirectory(prefix="weipian-demo-") as work:
        shp = Path(work) / f"南安市{cal.ministry_batch}部卫片图斑.shp"
        pyogrio.write_dataframe(frame, shp, encoding="GBK", layer_options={"RESIZE": "YES"})
        shp.with_suffix(".cpg").unlink(missing_ok=True)  # real deliveries often lack it
        with _staged(path) as tmp, zipfile.ZipFile(tmp, "w") as zf:
            for suffix in (".shp", ".shx", ".dbf", ".prj"):
                info = _GbkZipInfo(
                    shp.with_suffix(suffix).name, date_time=(*cal.ministry_issued.timetuple()[:3], 9, 0, 0)
                )
                info.compress_type = zipfile.ZIP_DEFLATED
                info.create_system = 0  # made on Windows
                info.external_attr = 0x20  # FILE_ATTRIBUTE_ARCHIVE
                zf.writestr(info, shp.with_suffix(suffix).read_bytes())
    return path
