"""The demo's before/after imagery: valid COGs over the patches, the change visible, deterministic,
and the dates scripts/run registers them with."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
import rasterio
import shapely
from pyproj import Transformer
from rio_cogeo.cogeo import cog_validate

from weipian.demo.county import write_demo
from weipian.demo.imagery import (
    AFTER_DATE,
    AFTER_FILE,
    BEFORE_DATE,
    BEFORE_FILE,
    FOCUS_TOWNSHIP,
    write_demo_imagery,
)
from weipian.io.readers import read_vector

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_demo(tmp_path_factory.mktemp("demo"), patches=40, parcels=1000).dir


def test_pair_covers_the_patches_and_shows_the_changes(demo_dir: Path) -> None:
    pair = write_demo_imagery(demo_dir, seed=3, pixels=2_000_000, township=None)
    assert (pair.before.name, pair.after.name) == (BEFORE_FILE, AFTER_FILE)
    for path in (pair.before, pair.after):
        assert cog_validate(path, quiet=True)[0]
        assert path.stat().st_size < 12_000_000
    assert pair.facts.crs == "EPSG:4527" and pair.facts.bands == 3
    province = read_vector(demo_dir / "province_2022_01.gpkg", (117.8, 24.4, 118.9, 25.5))
    w, s, e, n = pair.facts.bounds
    px0, py0, px1, py1 = shapely.total_bounds(province.geoms)
    assert w < px0 < px1 < e and s < py0 < py1 < n
    hsx = {str(v) for v in province.attrs["后时相"]}
    assert max(hsx) <= AFTER_DATE.strftime("%Y%m%d") and BEFORE_DATE.strftime("%Y%m%d") < min(hsx)
    with rasterio.open(pair.before) as b, rasterio.open(pair.after) as a:
        before, after = b.read().astype(int), a.read().astype(int)
        centres = shapely.get_coordinates(shapely.point_on_surface(shapely.make_valid(province.geoms)))
        xs, ys = Transformer.from_crs(4490, 4527, always_xy=True).transform(centres[:, 0], centres[:, 1])
        rows, cols = rasterio.transform.rowcol(b.transform, xs, ys)
    differs = np.abs(before[:, rows, cols] - after[:, rows, cols]).max(axis=0) > 12
    assert differs.mean() > 0.8  # nearly every patch sits on a visible change
    again = write_demo_imagery(demo_dir, seed=3, pixels=2_000_000, township=None)  # same seed: same pictures
    with rasterio.open(again.after) as a2:
        assert (a2.read().astype(int) == after).all()


def test_default_pair_covers_the_focus_township_finely(demo_dir: Path) -> None:
    pair = write_demo_imagery(demo_dir, seed=3)
    towns = read_vector(demo_dir / "townships.gpkg", (117.8, 24.4, 118.9, 25.5))
    focus = towns.geoms[[str(c) == FOCUS_TOWNSHIP for c in towns.attrs["XZQDM"]]][0]
    assert shapely.box(*pair.facts.bounds).intersects(focus)
    assert pair.pixel_m <= 2.0  # a patch is tens of pixels across


def test_scripts_run_registers_the_demo_pair_with_its_dates() -> None:
    # The dates follow today, so scripts/run takes files, phases and dates from the manifest
    # `weipian demo --json` prints, not from constants.
    script = (ROOT / "scripts" / "run").read_text("utf-8")
    assert "$W demo --dir demo/data --json" in script and "m['imagery'][$i]" in script
    assert re.search(r'imagery add "\$path" --phase "\$phase" --date "\$day"', script)
