"""Fuzzing intake (issue 11, item 16): random GeoJSON packages (absurd coordinates, odd fields)
and mutated real packages (.zip shapefile, .gpkg, .geojson with bytes flipped or cut off). Every
one either imports or is refused with a coded, Chinese ``WeipianError`` — never another
exception — and a refused one leaves the store exactly as it was. SQLite and PostGIS; the
budget is a few tens of examples each, for CI."""

from __future__ import annotations

import json
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import hypothesis.strategies as st
import pytest
from hypothesis import HealthCheck, given, settings
from sqlalchemy import func, select

from factories import REGION, patch_rows, square_grid, to_4490, write_vector, zip_shapefile
from weipian.domain.sources import Source
from weipian.errors import WeipianError
from weipian.messages import message
from weipian.services.intake import IntakeOptions, import_package
from weipian.storage.store import Store
from weipian.storage.tables import batches, patch_links, patches

# GDAL reports what it skips in a broken file as warnings; the readers go on, and so do we.
pytestmark = [
    pytest.mark.filterwarnings("ignore::RuntimeWarning"),
    pytest.mark.filterwarnings("ignore::UserWarning"),
    pytest.mark.filterwarnings(
        "ignore:Exception ignored in. 'pyogrio:pytest.PytestUnraisableExceptionWarning"
    ),
]
FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
_counter = iter(range(10**9))


@cache
def _seeds() -> dict[str, bytes]:
    tmp = Path(tempfile.mkdtemp(prefix="weipian-fuzz-"))
    rows, geoms = patch_rows(4), square_grid(4)
    shp = write_vector(tmp / "s" / "部.shp", rows, geoms, encoding="GBK")
    return {
        ".zip": zip_shapefile(shp, tmp / "p.zip", gbk_names=True).read_bytes(),
        ".gpkg": write_vector(tmp / "p.gpkg", rows, geoms).read_bytes(),
        ".geojson": write_vector(tmp / "p.geojson", rows, to_4490(geoms), epsg=4490).read_bytes(),
    }


def _state(store: Store) -> tuple[int, ...]:
    with store.reading() as session:
        return tuple(
            int(session.scalar(select(func.count()).select_from(t)) or 0)
            for t in (batches, patches, patch_links)
        )


def _attempt(store: Store, tmp: Path, suffix: str, data: bytes) -> None:
    path = tmp / f"f{next(_counter)}{suffix}"
    path.write_bytes(data)
    before = _state(store)
    options = IntakeOptions(source=Source.ministry, batch=path.stem, region=REGION)
    try:
        import_package(store, path, options)
    except WeipianError as exc:
        assert message(exc.code, **exc.params)  # a sentence, not a traceback
        assert any("\u4e00" <= ch <= "\u9fff" for ch in message(exc.code, **exc.params)), exc.code
        assert _state(store) == before, "a refused package changed the store"
    finally:
        path.unlink(missing_ok=True)


coordinate = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=117.0, max_value=119.5),
    st.sampled_from([1e300, -1e300, 0.0, 39641453.0, 2755704.0]),
)
ring = st.lists(st.tuples(coordinate, coordinate), min_size=0, max_size=6)
text = st.one_of(st.none(), st.text(max_size=20), st.integers(), st.floats(), st.booleans())


@st.composite
def geojson_packages(draw: Any) -> bytes:
    features = []
    for _ in range(draw(st.integers(0, 4))):
        pts = draw(ring)
        geometry = draw(
            st.sampled_from(
                [
                    {"type": "Polygon", "coordinates": [[*pts, pts[0]] if pts else []]},
                    {"type": "Point", "coordinates": list(pts[0]) if pts else []},
                    None,
                ]
            )
        )
        props = {
            k: draw(text)
            for k in draw(
                st.lists(
                    st.sampled_from(["JCBH", "TBBH", "XZQDM", "JCMJ", "HSX", "QSX", "NF", "XFSJ"]), max_size=6
                )
            )
        }
        features.append({"type": "Feature", "geometry": geometry, "properties": props})
    doc = {"type": "FeatureCollection", "features": features}
    return json.dumps(doc, allow_nan=True).encode()


@FUZZ
@given(data=geojson_packages())
def test_random_geojson_packages(store: Store, tmp_path: Path, data: bytes) -> None:
    _attempt(store, tmp_path, ".geojson", data)


@FUZZ
@given(
    suffix=st.sampled_from([".zip", ".gpkg", ".geojson"]),
    flips=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), max_size=12),
    cut=st.one_of(st.none(), st.floats(0, 1)),
)
def test_mutated_packages(
    store: Store, tmp_path: Path, suffix: str, flips: list[tuple[float, int]], cut: float | None
) -> None:
    data = bytearray(_seeds()[suffix])
    for where, value in flips:
        data[int(where * len(data))] = value
    if cut is not None:
        data = data[: int(cut * len(data))]
    _attempt(store, tmp_path, suffix, bytes(data))
