"""Patch intake on both backends: formats, encodings, CRS, repair, rejection, township, links."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import shapely
from sqlalchemy import func, select

from factories import (
    SQUARE_100M_ELLIPSOIDAL_M2,
    bowtie,
    gk_square,
    patch_rows,
    square_grid,
    to_4490,
    write_vector,
    zip_shapefile,
)
from weipian.domain.layers import LayerKind
from weipian.domain.sources import Source
from weipian.errors import Conflict, InputError
from weipian.services.intake import IntakeOptions, import_package
from weipian.services.layers import import_layer
from weipian.storage.store import Store
from weipian.storage.tables import batches, layer_features, patch_links, patches

REGION = (117.8, 24.4, 118.9, 25.5)


def _import(store: Store, path: Path, source: Source = Source.ministry, **kw: object):  # type: ignore[no-untyped-def]
    return import_package(store, path, IntakeOptions(source=source, region=REGION, **kw))  # type: ignore[arg-type]


def _count(store: Store, table=patches) -> int:  # type: ignore[no-untyped-def]
    with store.reading() as s:
        return int(s.scalar(select(func.count()).select_from(table)) or 0)


def test_gbk_zip_without_cpg_in_gauss_kruger(store: Store, tmp_path: Path) -> None:
    rows = patch_rows(3, XZQMC="南安市", BZ="违法建房疑似")
    shp = write_vector(
        tmp_path / "pkg" / "南安市2022部卫片.shp", rows, square_grid(3), encoding="GBK", keep_cpg=False
    )
    pkg = zip_shapefile(shp, tmp_path / "部卫片.zip", gbk_names=True)
    summary = _import(store, pkg, batch="2022年第1批", issued=dt.date(2022, 11, 1))
    assert (summary.accepted, summary.repaired, summary.rejected) == (3, 0, [])
    assert summary.source_crs == "EPSG:4527" and not summary.crs_inferred
    with store.reading() as s:
        row = s.execute(select(patches).order_by(patches.c.id)).first()
        batch = s.execute(select(batches)).one()
    assert row.admin_name == "南安市" and row.attrs["BZ"] == "违法建房疑似"
    assert row.area_m2 == pytest.approx(SQUARE_100M_ELLIPSOIDAL_M2, abs=1e-3)
    assert row.area_method == "ellipsoidal:CGCS2000"
    assert (row.year, row.admin_code, row.patch_code, row.state) == (2022, "350583", "P0000", "issued")
    assert batch.due_on == dt.date(2022, 11, 16) and row.due_on == dt.date(2022, 11, 16)
    geom = shapely.from_wkb(row.wkb)
    assert geom.geom_type == "MultiPolygon" and 118.0 < geom.centroid.x < 118.8  # stored as lon/lat


def test_geopackage_with_aliased_fields_and_mu(store: Store, tmp_path: Path) -> None:
    rows = [
        {
            "监测编号": f"S{i}",
            "行政区代码": "350583113",
            "图斑类型": "YH",
            "前时相": "2022-03-01",
            "后时相": "2022/09/01",
            "监测面积（亩）": 15.0,
            "下发时间": "20221110",
        }
        for i in range(2)
    ]
    pkg = write_vector(tmp_path / "省卫片.gpkg", rows, to_4490(square_grid(2)), epsg=4490)
    summary = _import(store, pkg, Source.province)
    assert summary.accepted == 2
    with store.reading() as s:
        row = s.execute(select(patches).where(patches.c.patch_code == "S0")).one()
        batch = s.execute(select(batches)).one()
    assert (row.change_type, row.before_date, row.after_date) == ("YH", "20220301", "20220901")
    assert row.delivered_area_m2 == pytest.approx(10000.0)  # 15 亩
    assert row.township_code == "350583113"  # 9-digit XZQDM, no townships layer
    assert batch.issued_on == dt.date(2022, 11, 10) and batch.name == "省卫片"


def test_geojson(store: Store, tmp_path: Path) -> None:
    pkg = write_vector(tmp_path / "self.geojson", patch_rows(2), to_4490(square_grid(2)), epsg=4490)
    assert _import(store, pkg, Source.self).accepted == 2


def test_repairs_and_rejects_row_by_row(store: Store, tmp_path: Path) -> None:
    rows = patch_rows(5)
    rows[3]["JCBH"] = rows[1]["JCBH"]  # duplicate id
    rows[4]["JCBH"] = None  # missing id
    geoms = [gk_square(0), bowtie(400), None, gk_square(600), gk_square(900)]
    pkg = write_vector(tmp_path / "p.gpkg", rows, geoms)
    summary = _import(store, pkg)
    assert summary.accepted == 2 and summary.repaired == 1
    assert [(r.row, r.code) for r in summary.rejected] == [
        (3, "row.geometry_empty"),
        (4, "row.duplicate_id"),
        (5, "row.missing_id"),
    ]
    with store.reading() as s:
        fixed = s.execute(select(patches).where(patches.c.repaired.is_(True))).one()
    assert shapely.from_wkb(fixed.wkb).is_valid
    assert fixed.area_m2 == pytest.approx(SQUARE_100M_ELLIPSOIDAL_M2 / 2, rel=1e-3)  # two triangles


def _bad_files(tmp: Path) -> dict[str, Path]:
    (tmp / "corrupt.zip").write_bytes(b"PK\x03\x04 this is not really a zip")
    (tmp / "text.gpkg").write_text("这不是 GeoPackage 文件")
    no_prj = write_vector(tmp / "noprj" / "a.shp", patch_rows(1), [shapely.box(0, 0, 10, 10)], keep_prj=False)
    bad_prj = write_vector(tmp / "badprj" / "a.shp", patch_rows(1), square_grid(1))
    bad_prj.with_suffix(".prj").write_text('PROJCS["nonsense", GEOGCS["x"]]')
    no_id = write_vector(tmp / "noid.gpkg", [{"NAME": "x"}], square_grid(1))
    empty = write_vector(tmp / "empty.gpkg", patch_rows(2), [None, None])
    import pandas as pd
    import pyogrio

    pyogrio.write_dataframe(pd.DataFrame({"JCBH": ["A"]}), tmp / "nogeom.gpkg")
    (tmp / "empty.zip").write_bytes(_zip_of({"readme.txt": b"hello"}))
    good = write_vector(tmp / "good.geojson", patch_rows(1), to_4490(square_grid(1)), epsg=4490).read_bytes()
    (tmp / "badtext.geojson").write_bytes(good.replace(b'"JCBH": "', b'"JCBH": "\xff\xfe', 1))
    return {
        "package.bad_text": tmp / "badtext.geojson",
        "package.corrupt_zip": tmp / "corrupt.zip",
        "package.unreadable": tmp / "text.gpkg",
        "crs.ambiguous": no_prj,
        "crs.unknown": bad_prj,
        "package.missing_field": no_id,
        "package.all_rejected": empty,
        "package.no_geometry": tmp / "nogeom.gpkg",
        "package.no_dataset": tmp / "empty.zip",
        "package.unsupported": tmp / "text.gpkg.txt",
        "package.not_found": tmp / "missing.zip",
    }


def _zip_of(files: dict[str, bytes]) -> bytes:
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return buf.getvalue()


@pytest.mark.parametrize(
    "code",
    [
        "package.corrupt_zip",
        "package.unreadable",
        "package.bad_text",
        "crs.ambiguous",
        "crs.unknown",
        "package.missing_field",
        "package.all_rejected",
        "package.no_geometry",
        "package.no_dataset",
        "package.unsupported",
        "package.not_found",
    ],
)
def test_bad_packages_are_refused_whole(store: Store, tmp_path: Path, code: str) -> None:
    files = _bad_files(tmp_path)
    if code == "package.unsupported":
        files[code].write_text("x")
    with pytest.raises(InputError) as info:
        _import(store, files[code])
    assert info.value.code == code
    assert _count(store) == 0 and _count(store, batches) == 0


@pytest.mark.parametrize(("offset", "epsg"), [(0.0, 4527), (-39_000_000.0, 4548)])
def test_crs_inferred_from_magnitudes_when_unambiguous(
    store: Store, tmp_path: Path, offset: float, epsg: int
) -> None:
    geoms = [shapely.affinity.translate(g, xoff=offset) for g in square_grid(2)]
    shp = write_vector(tmp_path / "a.shp", patch_rows(2), geoms, keep_prj=False)
    summary = _import(store, shp)
    assert summary.crs_inferred and summary.source_crs == f"EPSG:{epsg}"
    assert summary.warnings[0][0] == "crs.inferred"
    with store.reading() as s:
        area = s.scalar(select(patches.c.area_m2).limit(1))
    assert area == pytest.approx(SQUARE_100M_ELLIPSOIDAL_M2, abs=1e-3)


def test_township_from_layer_by_largest_share(store: Store, tmp_path: Path) -> None:
    # Two townships split at ORIGIN.x + 70 m: a patch spanning 0..100 m lies 70 % in the west one.
    west = shapely.box(39_640_000, 2_754_000, 39_641_523, 2_757_000)
    east = shapely.box(39_641_523, 2_754_000, 39_643_000, 2_757_000)
    towns = write_vector(
        tmp_path / "towns.gpkg",
        [{"XZQDM": "350583113", "XZQMC": "洪濑镇"}, {"XZQDM": "350583114", "XZQMC": "洪梅镇"}],
        [west, east],
    )
    import_layer(store, towns, LayerKind.townships, region=REGION)
    pkg = write_vector(tmp_path / "p.gpkg", patch_rows(2), [gk_square(0), gk_square(300)])
    summary = _import(store, pkg)
    assert summary.unassigned == 0
    with store.reading() as s:
        got = dict(s.execute(select(patches.c.patch_code, patches.c.township_share)).all())
        codes = dict(s.execute(select(patches.c.patch_code, patches.c.township_code)).all())
    assert codes == {"P0000": "350583113", "P0001": "350583114"}
    assert got["P0000"] == pytest.approx(0.7, abs=1e-3) and got["P0001"] == pytest.approx(1.0)


def test_same_place_links_prior_patches_and_other_batches(store: Store, tmp_path: Path) -> None:
    prior = write_vector(
        tmp_path / "prior.gpkg",
        [{"JCBH": "Q2021-7", "NF": 2021, "PDJG": "违法"}, {"JCBH": "Q2021-8", "NF": 2021, "PDJG": "合法"}],
        [gk_square(40), gk_square(2000)],  # first overlaps P0000 by 60 %, second nothing
    )
    import_layer(store, prior, LayerKind.prior_patches, region=REGION)
    first = write_vector(tmp_path / "m.gpkg", patch_rows(2), square_grid(2))
    _import(store, first, batch="部1")
    second = write_vector(tmp_path / "p.gpkg", patch_rows(1, prefix="S"), [gk_square(10)])
    summary = _import(store, second, Source.province, batch="省1")
    assert summary.linked == 2  # S0000 ↔ P0000 (90 %) and S0000 ↔ Q2021-7 (70 %)
    with store.reading() as s:
        links = s.execute(
            select(patch_links.c.kind, patch_links.c.target_code, patch_links.c.overlap_ratio)
        ).all()
        codes = dict(s.execute(select(patches.c.patch_code, patches.c.same_place_codes)).all())
    got = sorted((k, c, round(r, 3)) for k, c, r in links)
    assert got == [
        ("same_place_patch", "P0000", 0.9),
        ("same_place_prior", "Q2021-7", 0.6),
        ("same_place_prior", "Q2021-7", 0.7),
    ]
    assert codes["P0000"] == "Q2021-7" and codes["S0000"] == "Q2021-7"  # same-year P0000 is no 往期
    assert codes["P0001"] is None


def test_batch_and_patch_identity_are_unique(store: Store, tmp_path: Path) -> None:
    pkg = write_vector(tmp_path / "m.gpkg", patch_rows(2), square_grid(2))
    _import(store, pkg, batch="b1")
    with pytest.raises(Conflict) as info:
        _import(store, pkg, batch="b1")
    assert info.value.code == "batch.exists"
    with pytest.raises(InputError) as info2:
        _import(store, pkg, batch="b2")
    assert info2.value.code == "package.all_rejected"
    assert [r.code for r in info2.value.params["rejected"]] == ["row.exists", "row.exists"]
    # The same ids from another source, or another county, are other patches.
    assert _import(store, pkg, Source.province, batch="b1").accepted == 2
    assert _count(store) == 4


def test_layer_import_repairs_and_refuses_like_intake(store: Store, tmp_path: Path) -> None:
    rows = [{"DLBM": "0101"}, {"DLBM": "0702"}, {"DLBM": "0404"}]
    path = write_vector(tmp_path / "dltb.gpkg", rows, [gk_square(0), bowtie(300), None])
    summary = import_layer(store, path, LayerKind.landuse, region=REGION)
    assert (summary.features, summary.repaired) == (2, 1)
    assert [(r.row, r.code) for r in summary.rejected] == [(3, "row.geometry_empty")]
    bad = write_vector(tmp_path / "bad" / "dltb.shp", rows[:1], [gk_square(0)])
    bad.with_suffix(".prj").write_text('PROJCS["nonsense", GEOGCS["x"]]')
    with pytest.raises(InputError) as info:
        import_layer(store, bad, LayerKind.landuse, region=REGION)
    assert info.value.code == "crs.unknown"
    no_code = write_vector(tmp_path / "nocode.gpkg", [{"NAME": "x"}], [gk_square(0)])
    with pytest.raises(InputError) as info:
        import_layer(store, no_code, LayerKind.landuse, region=REGION)
    assert info.value.code == "layer.missing_field"
    with store.reading() as s:
        assert s.scalar(select(func.count()).select_from(layer_features)) == 2  # only the good import


def test_links_see_a_batch_imported_while_this_one_was_being_matched(store: Store, tmp_path: Path) -> None:
    """Townships and links are computed before the write lock; a batch that lands in between
    (here from the progress callback, as another process would) makes intake compute them again
    inside the lock, so the new patch still links to it."""
    _import(store, write_vector(tmp_path / "a.gpkg", patch_rows(1), [gk_square(0)]), batch="部1")
    other = write_vector(tmp_path / "c.gpkg", patch_rows(1, prefix="T"), [gk_square(5)])
    landed: list[str] = []

    def meanwhile(label: str, done: int, total: int) -> None:
        if label == "同位置关联" and done == total and not landed:
            landed.append(_import(store, other, Source.province, batch="省2").batch)

    pkg = write_vector(tmp_path / "b.gpkg", patch_rows(1, prefix="S"), [gk_square(10)])
    summary = import_package(
        store, pkg, IntakeOptions(source=Source.province, region=REGION, batch="省1"), progress=meanwhile
    )
    assert landed == ["省2"] and summary.linked == 2
    with store.reading() as s:
        s_id = s.scalar(select(patches.c.id).where(patches.c.patch_code == "S0000"))
        targets = s.scalars(select(patch_links.c.target_code).where(patch_links.c.patch_id == s_id)).all()
    assert sorted(targets) == ["P0000", "T0000"]
