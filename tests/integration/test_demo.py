"""The synthetic demo county: deterministic, tiling layers, delivery formats as the platforms send them."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from pyproj import CRS

from weipian.analysis.area import ellipsoidal_area
from weipian.demo import DemoManifest, write_demo
from weipian.domain.fields import match_columns
from weipian.domain.layers import LayerKind
from weipian.domain.townships import townships
from weipian.domain.units import M2_PER_MU

PATCHES, PARCELS = 60, 2000


PROGRESS: list[tuple[str, int, int]] = []


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoManifest:
    def record(label: str, done: int, total: int) -> None:
        PROGRESS.append((label, done, total))

    return write_demo(tmp_path_factory.mktemp("demo"), patches=PATCHES, parcels=PARCELS, progress=record)


def _read(path: Path) -> tuple[pd.DataFrame, np.ndarray]:  # type: ignore[type-arg]
    frame = pyogrio.read_dataframe(path, encoding="GBK" if path.suffix == ".shp" else None)
    return pd.DataFrame(frame.drop(columns="geometry")), frame.geometry.values


def _ministry(demo: DemoManifest, tmp: Path) -> Path:
    """The ministry shapefile, extracted into ``tmp``."""
    tmp.mkdir(exist_ok=True)
    with zipfile.ZipFile(demo.packages[0].path, metadata_encoding="gbk") as zf:
        zf.extractall(tmp)
    return next(tmp.glob("*.shp"))


def _patches(demo: DemoManifest, tmp: Path) -> np.ndarray:  # type: ignore[type-arg]
    """Every current patch in EPSG:4490, repaired."""
    ministry = pyogrio.read_dataframe(_ministry(demo, tmp), encoding="GBK").to_crs(4490).geometry.values
    _, province = _read(demo.packages[1].path)
    return shapely.make_valid(np.concatenate([ministry, province]))


def _overlap_share(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # type: ignore[type-arg]
    """Intersecting pairs (i in a, j in b) and the share of a[i] that b[j] covers."""
    i, j = shapely.STRtree(b).query(a, predicate="intersects")
    share = ellipsoidal_area(shapely.intersection(a[i], b[j])) / ellipsoidal_area(a[i])
    return i, j, share


def test_same_seed_same_data(demo: DemoManifest, tmp_path: Path) -> None:
    again = write_demo(tmp_path / "again", patches=PATCHES, parcels=PARCELS)
    pairs = [(path, again.layers[kind]) for kind, path in demo.layers.items()]
    pairs.append((_ministry(demo, tmp_path / "a"), _ministry(again, tmp_path / "b")))
    pairs.append((demo.packages[1].path, again.packages[1].path))
    for first, second in pairs:
        attrs, geoms = _read(first)
        attrs2, geoms2 = _read(second)
        pd.testing.assert_frame_equal(attrs, attrs2)
        assert (shapely.to_wkb(geoms) == shapely.to_wkb(geoms2)).all(), first.name


def test_other_seed_other_data(demo: DemoManifest, tmp_path: Path) -> None:
    other = write_demo(tmp_path / "other", seed=7, patches=PATCHES, parcels=PARCELS)
    assert not (
        shapely.to_wkb(_read(demo.layers["townships"])[1])
        == shapely.to_wkb(_read(other.layers["townships"])[1])
    ).all()


def test_manifest_lists_every_layer_kind_and_both_packages(demo: DemoManifest) -> None:
    assert set(demo.layers) == {k.value for k in LayerKind}
    assert all(p.exists() for p in demo.layers.values())
    assert [(p.source, p.batch, p.issued.isoformat()) for p in demo.packages] == [
        ("ministry", "2022年第1批", "2022-11-01"),
        ("province", "2022年省第1批", "2022-11-10"),
    ]
    assert sum(p.patches for p in demo.packages) == PATCHES
    assert demo.packages[0].patches == round(0.6 * PATCHES)
    assert not [p.name for p in demo.dir.iterdir() if p.name.startswith(".")]  # no temporary leftovers
    readme = (demo.dir / "README.txt").read_text("utf-8")
    assert all(p.name in readme for p in [*demo.layers.values(), *(k.path for k in demo.packages)])


def test_townships_tile_the_county_with_official_codes(demo: DemoManifest) -> None:
    attrs, geoms = _read(demo.layers["townships"])
    assert list(attrs["XZQDM"]) == [t.code for t in townships()]
    assert list(attrs["XZQMC"]) == [t.name for t in townships()]
    assert shapely.is_valid(geoms).all()
    area = ellipsoidal_area(geoms)
    union = ellipsoidal_area(np.array([shapely.union_all(geoms)]))[0]
    assert area.sum() == pytest.approx(union, rel=1e-9)
    assert 1.95e9 < union < 2.1e9
    i, j = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    pairs = i < j
    assert ellipsoidal_area(shapely.intersection(geoms[i[pairs]], geoms[j[pairs]])).sum() < 1.0
    minx, miny, maxx, maxy = shapely.total_bounds(geoms)
    assert minx > 118.1 and maxx < 118.7 and miny > 24.7 and maxy < 25.3


def test_landuse_tiles_the_county(demo: DemoManifest) -> None:
    attrs, geoms = _read(demo.layers["landuse"])
    _, towns = _read(demo.layers["townships"])
    assert len(geoms) == PARCELS
    assert shapely.is_valid(geoms).all()
    area = ellipsoidal_area(geoms)
    assert area.sum() == pytest.approx(ellipsoidal_area(towns).sum(), rel=1e-6)
    assert shapely.STRtree(geoms).query(geoms, predicate="overlaps").size == 0
    assert np.allclose(attrs["TBMJ"], area, atol=0.01)
    assert 20 <= np.median(shapely.get_num_coordinates(geoms)) <= 41


def test_landuse_classes_are_real_codes_with_settlement_attribute(demo: DemoManifest) -> None:
    attrs, _ = _read(demo.layers["landuse"])
    farmland = attrs["DLBM"].isin(["0101", "0102", "0103"]).mean()
    assert 0.2 < farmland < 0.45
    assert {"0101", "0301", "0702", "1006", "1202", "1101"} <= set(attrs["DLBM"])
    assert set(attrs["CZCSXM"]) <= {"", "201", "202", "203", "204", "205"}
    assert (attrs.loc[attrs["DLBM"] == "0702", "CZCSXM"] == "203").all()
    assert (attrs.groupby("DLBM")["DLMC"].nunique() == 1).all()


def test_basic_farmland_lies_on_farmland_parcels(demo: DemoManifest) -> None:
    attrs, geoms = _read(demo.layers["basic_farmland"])
    assert len(geoms) > 0
    assert set(attrs["DLBM"]) <= {"0101", "0102", "0103"}


def test_ministry_package_is_a_gbk_shapefile_in_gauss_kruger(demo: DemoManifest, tmp_path: Path) -> None:
    with zipfile.ZipFile(demo.packages[0].path) as raw:
        assert all(not info.flag_bits & 0x800 for info in raw.infolist())  # no UTF-8 flag
    with zipfile.ZipFile(demo.packages[0].path, metadata_encoding="gbk") as zf:
        names = zf.namelist()
    assert sorted(Path(n).suffix for n in names) == [".dbf", ".prj", ".shp", ".shx"]  # no .cpg
    assert all(Path(n).stem == "南安市2022年第1批部卫片图斑" for n in names)
    shp = _ministry(demo, tmp_path)
    assert CRS.from_wkt(shp.with_suffix(".prj").read_text()).to_epsg() == 4527
    frame = pyogrio.read_dataframe(shp, encoding="GBK")
    assert (frame["XZQMC"] == "南安市").all() and (frame["XZQDM"] == "350583").all()
    assert frame["JCBH"].is_unique and len(frame) == demo.packages[0].patches
    easting = shapely.get_coordinates(frame.geometry.values)[:, 0]
    assert ((easting >= 39_000_000) & (easting < 40_000_000)).all()
    assert (~shapely.is_valid(frame.geometry.values)).sum() == 2
    assert set(frame["TBLX"]) <= {"20", "YH", "DT", "TD", "CK", "GF", "01", "02", "03", "ND", "KT", "TP", "LT", "QT",
                                  "DL1", "DL2", "LD", "SJ", "HL"}  # fmt: skip
    assert frame["QSX"].str.fullmatch(r"2\d{7}").all() and (frame["QSX"] < frame["HSX"]).all()
    repaired = shapely.make_valid(frame.set_crs(4527, allow_override=True).to_crs(4490).geometry.values)
    assert np.allclose(frame["JCMJ"], ellipsoidal_area(repaired), rtol=1e-6, atol=0.01)
    assert (frame["JCMJ"].between(150, 40_000)).all()
    assert frame["TYWZJCTBWQ"].notna().any() or frame["QQJCBH"].notna().any()


def test_ministry_dbf_without_encoding_is_mojibake(demo: DemoManifest, tmp_path: Path) -> None:
    shp = _ministry(demo, tmp_path)
    assert pyogrio.read_info(shp)["encoding"] != "GBK"
    assert (pyogrio.read_dataframe(shp)["XZQMC"] != "南安市").all()


def test_province_package_uses_chinese_aliases_township_codes_and_mu(demo: DemoManifest) -> None:
    attrs, geoms = _read(demo.packages[1].path)
    assert {"监测编号", "行政区代码", "图斑类型", "前时相", "后时相", "监测面积（亩）", "下发时间"} <= set(
        attrs.columns
    )
    assert pyogrio.read_info(demo.packages[1].path)["crs"] == "EPSG:4490"
    matched = match_columns(list(attrs.columns))
    assert {"JCBH", "XZQDM", "TBLX", "QSX", "HSX", "JCMJ"} <= set(matched)
    assert matched["JCMJ"].unit == "mu"
    assert set(attrs["行政区代码"]) <= {t.code for t in townships()}
    assert np.allclose(attrs["监测面积（亩）"] * M2_PER_MU, ellipsoidal_area(geoms), rtol=1e-4)
    assert shapely.is_valid(geoms).all()


def test_some_provincial_patches_repeat_ministry_ones(demo: DemoManifest, tmp_path: Path) -> None:
    ministry = pyogrio.read_dataframe(_ministry(demo, tmp_path), encoding="GBK").to_crs(4490).geometry.values
    _, province = _read(demo.packages[1].path)
    _, _, share = _overlap_share(province, shapely.make_valid(ministry))
    assert (share > 0.8).sum() >= 1


def test_some_patches_sit_on_prior_patches(demo: DemoManifest, tmp_path: Path) -> None:
    attrs, priors = _read(demo.layers["prior_patches"])
    assert set(attrs["NF"]) <= {2020, 2021} and attrs["JCBH"].is_unique
    assert set(attrs["PDJG"]) <= {"合法", "违法", "其他", "伪变化", "设施农用地", "农村道路"}
    _, _, share = _overlap_share(_patches(demo, tmp_path), priors)
    assert (share >= 0.6).sum() >= 3


def test_some_patches_straddle_township_boundaries(demo: DemoManifest, tmp_path: Path) -> None:
    _, towns = _read(demo.layers["townships"])
    i, _, share = _overlap_share(_patches(demo, tmp_path), towns)
    split = np.unique(i[(share > 0.05) & (share < 0.95)])
    assert len(split) >= 2


def test_approvals_cover_patches_fully_partly_or_not_and_some_come_late(
    demo: DemoManifest, tmp_path: Path
) -> None:
    patches = _patches(demo, tmp_path)
    attrs, approvals = _read(demo.layers["conversion_approval"])
    assert attrs["PZWH"].str.fullmatch(r"闽政地〔\d{4}〕\d+号").all() and attrs["PZWH"].is_unique
    i, _, share = _overlap_share(patches, approvals)
    assert (share > 0.999).any() and ((share > 0.05) & (share < 0.95)).any()
    assert len(np.unique(i)) < len(patches)
    hsx = pd.concat(
        [pyogrio.read_dataframe(_ministry(demo, tmp_path), encoding="GBK", read_geometry=False)["HSX"],
         _read(demo.packages[1].path)[0]["后时相"]], ignore_index=True
    )  # fmt: skip
    a, p, _ = _overlap_share(approvals, patches)
    approved = pd.to_datetime(attrs["PZRQ"].iloc[a]).to_numpy()
    seen = pd.to_datetime(hsx.iloc[p], format="%Y%m%d").to_numpy()
    assert (approved > seen).any() and (approved < seen).any()


def test_reference_layers_carry_their_key_attributes(demo: DemoManifest) -> None:
    expected = {
        "preapproval": {"YSWH", "PZRQ"}, "land_supply": {"HTBH", "QDRQ", "XMMC"},
        "temporary_use": {"PZWH", "YXQQ", "YXQZ"}, "facility_agri": {"STRKH", "PZRQ"},
        "consolidation": {"XMBH", "XMMC"}, "mining_right": {"XKZH", "YXQQ", "YXQZ", "KZ"}, "military": {"NAME"},
    }  # fmt: skip
    for kind, fields in expected.items():
        attrs, geoms = _read(demo.layers[kind])
        assert fields <= set(attrs.columns), kind
        assert len(geoms) > 0 and shapely.is_valid(geoms).all(), kind
        assert pyogrio.read_info(demo.layers[kind])["crs"] == "EPSG:4490", kind
    mines, _ = _read(demo.layers["mining_right"])
    assert len(mines) == 3 and set(mines["KZ"]) == {"建筑用花岗岩"}


def test_newer_layer_kinds_touch_some_patches(demo: DemoManifest, tmp_path: Path) -> None:
    """增减挂钩 (建新区 under a patch, 拆旧区 elsewhere), 可以长期稳定利用耕地 and 江河沿岸 are there,
    and each touches at least one patch, so the demo shows the approval and the priority flags."""
    patches = _patches(demo, tmp_path)
    touched: dict[str, tuple[pd.DataFrame, np.ndarray]] = {}  # type: ignore[type-arg]
    for kind in ("linkage", "stable_farmland", "riverside"):
        attrs, geoms = _read(demo.layers[kind])
        assert len(geoms) > 0 and shapely.is_valid(geoms).all(), kind
        assert pyogrio.read_info(demo.layers[kind])["crs"] == "EPSG:4490", kind
        p, g = shapely.STRtree(geoms).query(patches, predicate="intersects")
        overlap = ellipsoidal_area(shapely.intersection(patches[p], geoms[g])) > 1.0
        assert overlap.any(), kind
        touched[kind] = (attrs, g[overlap])
    links, under = touched["linkage"]
    assert set(links["QKLX"]) == {"建新区", "拆旧区"}
    assert (links["QKLX"].iloc[under] == "建新区").any()
    assert links["PFWH"].str.fullmatch(r"泉自然资〔\d{4}〕\d+号").all()
    farmland, _ = _read(demo.layers["stable_farmland"])
    assert set(farmland["DLBM"]) <= {"0101", "0102", "0103"}
    _, basic = _read(demo.layers["basic_farmland"])
    _, stable = _read(demo.layers["stable_farmland"])
    i, j = shapely.STRtree(basic).query(stable, predicate="intersects")
    assert ellipsoidal_area(shapely.intersection(stable[i], basic[j])).sum() < 1.0  # outside 永农
    rivers, _ = _read(demo.layers["riverside"])
    assert list(rivers["HLMC"]) == ["西溪", "东溪", "晋江"]
    consolidation, _ = _read(demo.layers["consolidation"])
    assert set(consolidation["XMLX"]) == {"全域土地综合整治"}


def test_progress_counts_up_to_the_total(demo: DemoManifest) -> None:
    calls = PROGRESS
    assert calls[0][1] == 0 and calls[-1][1] == calls[-1][2]
    assert [c[1] for c in calls] == sorted(c[1] for c in calls)
    assert all("\u4e00" <= c[0][0] <= "\u9fff" for c in calls)  # Chinese labels


def test_interrupted_run_leaves_no_half_file(tmp_path: Path) -> None:
    class Stop(Exception):
        pass

    def stop_in_landuse(label: str, done: int, total: int) -> None:
        if label == "生成地类图斑":
            raise Stop

    with pytest.raises(Stop):
        write_demo(tmp_path, patches=PATCHES, parcels=PARCELS, progress=stop_in_landuse)
    names = {p.name for p in tmp_path.iterdir()}
    assert "townships.gpkg" in names
    assert not {"landuse.gpkg", "basic_farmland.gpkg", "stable_farmland.gpkg"} & names
    assert not [n for n in names if n.startswith(".")]
