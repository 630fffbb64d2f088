"""Military restriction holds from the moment of import, without ``weipian analyze`` (issue 11,
items 1 and 3): intake checks the current military layer, a new military version re-marks every
patch at once (releasing any needs ``confirm_release``), never-checked patches are withheld from
exports, and reference layers with absurd or out-of-county coordinates are refused whole."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
import shapely
from sqlalchemy import func, select

from factories import REGION, gk_square, patch_rows, write_vector
from weipian.domain.layers import LayerKind
from weipian.domain.sources import Source
from weipian.errors import InputError
from weipian.rules import load_rules
from weipian.services.access import Scope
from weipian.services.export import export_results
from weipian.services.intake import IntakeOptions, import_package
from weipian.services.layers import import_layer
from weipian.services.queries.scope import visible
from weipian.services.sheets import export_template
from weipian.storage.store import Store
from weipian.storage.tables import layers, patches

LEADER = Scope(restricted=False)
BUREAU = Scope(restricted=True)


def _military(store: Store, tmp: Path, name: str, geoms: list[shapely.Geometry], **kw: bool) -> None:
    path = write_vector(tmp / f"{name}.gpkg", [{"NAME": "某部"}] * len(geoms), geoms)
    import_layer(store, path, LayerKind.military, region=REGION, **kw)


def _import(store: Store, tmp: Path, batch: str = "B1") -> None:
    """P0000 and P0001 clear of the military square at (1000, 1000); P0002 on it."""
    pkg = write_vector(
        tmp / f"{batch}.gpkg",
        patch_rows(3, prefix=batch),
        [gk_square(0), gk_square(300), gk_square(1000, 1000)],
    )
    import_package(store, pkg, IntakeOptions(source=Source.ministry, batch=batch, region=REGION))


def _seen(store: Store, scope: Scope) -> list[str]:
    with store.reading() as session:
        q = visible(select(patches.c.patch_code), scope).order_by(patches.c.patch_code)
        return list(session.scalars(q))


def test_restricted_from_the_moment_of_import(store: Store, tmp_path: Path) -> None:
    _military(store, tmp_path, "m1", [gk_square(1000, 1000, 100)])
    _import(store, tmp_path)  # no analyze
    assert _seen(store, LEADER) == ["B10000", "B10001"]
    assert _seen(store, BUREAU) == ["B10000", "B10001", "B10002"]
    summary = export_results(store, tmp_path / "r.xlsx", fmt="xlsx")
    assert (summary.patches, summary.restricted_left_out) == (2, 1)
    sheet = openpyxl.load_workbook(tmp_path / "r.xlsx").active
    assert "B10002" not in {str(c.value) for row in sheet.iter_rows() for c in row}


def test_a_new_military_version_remarks_patches_at_once(store: Store, tmp_path: Path) -> None:
    _military(store, tmp_path, "m1", [gk_square(5000, 5000, 100)])  # meets no patch
    _import(store, tmp_path)
    assert _seen(store, LEADER) == ["B10000", "B10001", "B10002"]
    _military(store, tmp_path, "m2", [gk_square(1000, 1000, 100)])
    assert _seen(store, LEADER) == ["B10000", "B10001"]  # hidden before any analysis


def test_patches_never_checked_against_military_are_withheld_from_exports(
    store: Store, tmp_path: Path
) -> None:
    _import(store, tmp_path)  # no military layer at all
    summary = export_results(store, tmp_path / "r.gpkg", fmt="gpkg")
    assert (summary.patches, summary.restricted_left_out, summary.military_unchecked) == (0, 3, 3)
    rows = export_template(store, tmp_path / "t.xlsx", rules=load_rules(), on=dt.date(2022, 11, 20))
    assert rows == 0
    _military(store, tmp_path, "m1", [gk_square(1000, 1000, 100)])  # now checked: two may leave
    assert export_results(store, tmp_path / "r2.gpkg", fmt="gpkg").patches == 2


def test_a_military_version_that_releases_patches_needs_confirm(store: Store, tmp_path: Path) -> None:
    _military(store, tmp_path, "m1", [gk_square(1000, 1000, 100)])
    _import(store, tmp_path)
    with pytest.raises(InputError) as refused:
        _military(store, tmp_path, "m2", [gk_square(5000, 5000, 100)])
    assert refused.value.code == "layer.military_releases" and refused.value.params["count"] == 1
    assert "1 个" in str(refused.value)
    with store.reading() as session:
        assert (
            session.scalar(select(func.count()).select_from(layers).where(layers.c.kind == "military")) == 1
        )
    assert _seen(store, LEADER) == ["B10000", "B10001"]  # nothing changed
    _military(store, tmp_path, "m2", [gk_square(5000, 5000, 100)], confirm_release=True)
    assert _seen(store, LEADER) == ["B10000", "B10001", "B10002"]


def test_a_military_layer_with_absurd_coordinates_is_refused(store: Store, tmp_path: Path) -> None:
    _military(store, tmp_path, "m1", [gk_square(1000, 1000, 100)])
    _import(store, tmp_path)
    corner = gk_square(1000, 1000, 100)
    huge = shapely.Polygon(
        [*corner.exterior.coords[:-2], (1e300, corner.bounds[1]), corner.exterior.coords[0]]
    )
    with pytest.raises(InputError) as refused:
        _military(store, tmp_path, "m2", [gk_square(1000, 1000, 100), huge], confirm_release=True)
    assert refused.value.code == "layer.coordinates_invalid"
    assert _seen(store, LEADER) == ["B10000", "B10001"]


def test_reference_layers_outside_the_county_are_refused(store: Store, tmp_path: Path) -> None:
    sahara = shapely.box(5.0, 20.0, 5.01, 20.01)
    path = write_vector(
        tmp_path / "l.gpkg", [{"DLBM": "0101"}, {"DLBM": "0102"}], [sahara, sahara], epsg=4490
    )
    with pytest.raises(InputError) as refused:
        import_layer(store, path, LayerKind.landuse, region=REGION)
    assert refused.value.code == "layer.outside_county" and refused.value.params["count"] == 2
    assert import_layer(store, path, LayerKind.landuse, region=REGION, allow_outside=True).features == 2
