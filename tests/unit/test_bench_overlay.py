"""A small run of benchmarks/bench_overlay.py: every installed contender agrees with weipian."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import bench_overlay


def test_landuse_layer_is_a_valid_segmentized_tiling() -> None:
    parcels, codes, side = bench_overlay.make_landuse(400)
    assert len(parcels) == 400 and shapely.is_valid(parcels).all()
    plane = bench_overlay.project_equal_area(parcels, bench_overlay.patch_centre(parcels))
    assert abs(shapely.area(plane).sum() / (side * side) - 1) < 0.01  # tiles its square, ~1 ha each
    assert 25 < shapely.get_num_coordinates(parcels).mean() < 60  # edges cut to 10 m
    assert 0.2 < np.isin(codes, bench_overlay.FARMLAND).mean() < 0.5


def test_small_side_by_side_run_agrees_and_reports() -> None:
    t = time.perf_counter()
    text = bench_overlay.compare([200], 2_000, repeat=1, threads=2)
    assert time.perf_counter() - t < 60
    assert "| 200 | farmland |" in text and "| 200 | every DLBM class |" in text
    assert "— within 1e-6." in text  # every contender's table agrees with weipian's
    for name in bench_overlay.missing_contenders():
        assert "Not run (not installed): " in text and name in text
