"""The photo checks as data: distance to the patch, time against 后时相, direction, reuse.

Expected distances come from another tool: ``pyproj.Geod(ellps="GRS80").inv`` (geodesic on
CGCS2000's ellipsoid) to the nearest boundary point, and Gauss–Krüger metres (EPSG:4527) for
points placed by hand around the test county's 100 m square.
"""

from __future__ import annotations

import datetime as dt

import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Geod

from factories import gk_square, to_4490
from photos import gk_lonlat
from weipian.analysis.evidence import CHECK_CODES, compass_point, distance_to_patch, photo_checks
from weipian.domain.fields import field_date
from weipian.messages import check_text
from weipian.messages.labels import COMPASS_LABELS

GEOD = Geod(ellps="GRS80")
SQUARE = to_4490([gk_square()])[0]  # P0000: the 100 m GK square at ORIGIN, in EPSG:4490
BEIJING = dt.timezone(dt.timedelta(hours=8))
HSX = dt.date(2022, 9, 1)


def checks(**kw: object) -> dict[str, tuple[bool | None, str]]:
    lon, lat = gk_lonlat(50, 50)
    values: dict[str, object] = {
        "lon": lon, "lat": lat, "azimuth": 90.0, "taken_at": dt.datetime(2022, 10, 1, 9, 0, tzinfo=BEIJING),
        "patch": SQUARE, "after": HSX, "max_distance_m": 100.0, "reused_on": (), **kw,
    }  # fmt: skip
    # The checks carry codes; the words are made at the edge, as the patch page does.
    return {c.code: (c.passed, check_text(c.as_dict())) for c in photo_checks(**values)}  # type: ignore[arg-type]


def test_a_good_photo_passes_every_check() -> None:
    result = checks()
    assert list(result) == list(CHECK_CODES)
    assert all(passed is True for passed, _ in result.values())
    assert result["position"][1] == "拍摄位置在图斑范围内。"
    assert result["direction"][1] == "拍摄方向 90°（朝东）。"


@pytest.mark.parametrize(
    ("dx", "dy", "gk_distance"),
    [
        (50, 50, 0.0),  # centre
        (100, 50, 0.0),  # on the east edge
        (137, 50, 37.0),  # east of the east edge
        (50, -80, 80.0),  # south
        (-30, -40, 50.0),  # south-west of the corner: 3-4-5
        (50, 260, 160.0),  # far north
    ],
)
def test_distance_matches_gauss_kruger_metres(dx: float, dy: float, gk_distance: float) -> None:
    lon, lat = gk_lonlat(dx, dy)
    # GK lengths here are ~0.03 % longer than on the ellipsoid (scale factor 1 + 3e-4 at 1.4° from the CM).
    assert distance_to_patch(lon, lat, SQUARE) == pytest.approx(gk_distance, rel=5e-4, abs=0.01)


@pytest.mark.parametrize(
    ("dx", "dy", "passed", "detail"),
    [
        (137, 50, True, "距图斑边界 37 米（允许 100 米）。"),
        (50, 200, True, "距图斑边界 100 米（允许 100 米）。"),
        (50, 320, False, "距图斑边界 220 米，超出允许的 100 米，可能不是在本图斑拍摄。"),
    ],
)
def test_position_near_and_far(dx: float, dy: float, passed: bool, detail: str) -> None:
    lon, lat = gk_lonlat(dx, dy)
    # 100 m in GK is 99.97 m on the ellipsoid: inside the allowance.
    assert checks(lon=lon, lat=lat)["position"] == (passed, detail)


def test_position_missing_fails_and_no_patch_cannot_tell() -> None:
    assert checks(lon=None, lat=None)["position"][0] is False
    assert checks(patch=None)["position"][0] is None
    assert checks(patch=shapely.Polygon())["position"][0] is None


@pytest.mark.parametrize(
    ("taken", "after", "passed"),
    [
        (dt.datetime(2022, 9, 1, 0, 5, tzinfo=BEIJING), HSX, True),  # the HSX day itself
        (dt.datetime(2022, 8, 31, 23, 59, tzinfo=BEIJING), HSX, False),
        (dt.datetime(2022, 8, 31, 16, 30, tzinfo=dt.UTC), HSX, True),  # 00:30 on 9-1 in Beijing
        (dt.datetime(2022, 8, 31, 15, 30, tzinfo=dt.UTC), HSX, False),  # 23:30 on 8-31 in Beijing
        (None, HSX, False),
        (dt.datetime(2022, 10, 1, tzinfo=BEIJING), None, None),
    ],
)
def test_time_against_hsx_in_beijing_time(
    taken: dt.datetime | None, after: dt.date | None, passed: bool | None
) -> None:
    assert checks(taken_at=taken, after=after)["time"][0] is passed


def test_time_detail_names_both_dates() -> None:
    passed, detail = checks(taken_at=dt.datetime(2022, 8, 1, 8, 0, tzinfo=BEIJING))["time"]
    assert passed is False
    assert "2022-08-01 08:00" in detail and "2022-09-01" in detail


def test_direction_and_reuse() -> None:
    assert checks(azimuth=None)["direction"][0] is False
    assert checks(azimuth=0.0)["direction"] == (True, "拍摄方向 0°（朝北）。")
    passed, detail = checks(reused_on=["P0001", "P0001", "B7"])["not_reused"]
    assert passed is False and "B7、P0001" in detail


def test_hsx_and_compass() -> None:
    assert field_date("20220901") == HSX
    assert field_date("20221301") is None and field_date(None) is None
    points = [compass_point(a) for a in (0, 44, 46, 180, 270, 337.4, 337.6)]
    assert [COMPASS_LABELS[p] for p in points] == ["北", "东北", "东北", "南", "西", "西北", "北"]


def test_check_as_dict_is_json_ready() -> None:
    import json

    lon, lat = gk_lonlat(137, 50)
    (position, *_) = photo_checks(
        lon=lon, lat=lat, azimuth=None, taken_at=None, patch=SQUARE, after=HSX, max_distance_m=100
    )
    stored = json.loads(json.dumps(position.as_dict()))
    assert stored["code"] == "position" and stored["passed"] is True
    assert stored["params"]["reason"] == "position_near"
    assert stored["params"]["distance_m"] == pytest.approx(37.0, abs=0.05)


@settings(max_examples=60, deadline=None)
@given(
    north=st.floats(min_value=1.0, max_value=5000.0),
    along=st.floats(min_value=0.05, max_value=0.95),
)
def test_distance_north_of_an_edge_is_the_geodesic_to_its_foot(north: float, along: float) -> None:
    """North of the top edge, the nearest point is straight south on the edge: compare with Geod.

    The edge (a parallel, straight in lon/lat) is a chord in the projection: they part by the
    sagitta L² tan φ / 8R, 0.1 mm for this 100 m edge (1 cm for a 1 km edge).
    """
    west, south, east, top = 118.4, 24.9, 118.401, 24.901
    box = shapely.box(west, south, east, top)
    lon = west + along * (east - west)
    lat = top + north / 111_000  # about ``north`` metres
    expected = GEOD.inv(lon, lat, lon, top)[2]
    assert distance_to_patch(lon, lat, box) == pytest.approx(expected, abs=1e-3)


@settings(max_examples=60, deadline=None)
@given(
    dx=st.floats(min_value=-3000, max_value=3000),
    dy=st.floats(min_value=-3000, max_value=3000),
)
def test_distance_is_never_negative_and_zero_exactly_inside(dx: float, dy: float) -> None:
    lon, lat = gk_lonlat(dx, dy)
    d = distance_to_patch(lon, lat, SQUARE)
    assert d >= 0.0
    inside = bool(shapely.covers(SQUARE, shapely.Point(lon, lat)))
    if inside:
        assert d == 0.0
    else:  # outside by a rounding error on the boundary, or truly outside
        assert d > 0.0 or min(abs(dx), abs(dx - 100), abs(dy), abs(dy - 100)) < 1e-3
    # Never more than the distance to the nearest vertex, measured geodesically.
    vertices = list(SQUARE.exterior.coords)
    nearest_vertex = min(GEOD.inv(lon, lat, x, y)[2] for x, y in vertices)
    assert d <= nearest_vertex + 1e-3
