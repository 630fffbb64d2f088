"""Desk comparison on both backends, with squares whose answers are known by construction."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import shapely
from sqlalchemy import select

from factories import ORIGIN, SQUARE_100M_ELLIPSOIDAL_M2, gk_square, patch_rows, write_vector
from weipian.analysis.area import AreaMethod, plane_centre
from weipian.domain.layers import LayerKind
from weipian.domain.sources import Source
from weipian.services.analyze import analyze
from weipian.services.intake import IntakeOptions, import_package
from weipian.services.layers import import_layer
from weipian.storage.store import Store
from weipian.storage.tables import patch_facts, patch_overlaps, patches

REGION = (117.8, 24.4, 118.9, 25.5)
A = SQUARE_100M_ELLIPSOIDAL_M2  # the patch: gk_square(0, 0, 100)


def _layer(store: Store, tmp: Path, kind: str, rows: list[dict[str, Any]], geoms: list[Any]) -> None:
    path = write_vector(tmp / f"{kind}.gpkg", rows, geoms)
    import_layer(store, path, LayerKind(kind), region=REGION)


def _county(store: Store, tmp: Path) -> None:
    """Four 100 m landuse squares meeting at the patch centre, plus every other kind."""
    q = [gk_square(-50, -50), gk_square(50, -50), gk_square(-50, 50), gk_square(50, 50)]
    codes = (("0101", ""), ("0702", "203"), ("0404", ""), ("1006", ""))  # DLBM, CZCSXM (城镇村属性码)
    _layer(store, tmp, "landuse", [{"DLBM": c, "CZCSXM": z} for c, z in codes], q)
    west = shapely.box(ORIGIN[0] - 100, ORIGIN[1] - 100, ORIGIN[0] + 50, ORIGIN[1] + 200)  # patch's west half
    _layer(store, tmp, "basic_farmland", [{"ID": 1}, {"ID": 2}], [west, west.buffer(-10)])  # overlapping
    _layer(store, tmp, "eco_redline", [{"ID": 1}], [gk_square(5000)])  # elsewhere
    _layer(
        store,
        tmp,
        "conversion_approval",
        [{"PZWH": "闽政地〔2021〕1号", "PZRQ": "2021-05-01"}],
        [shapely.box(39641453, 2755704, 39641533, 2755804)],
    )  # fmt: skip  (80 % of the patch)
    _layer(
        store,
        tmp,
        "land_supply",
        [{"HTBH": "HT-2021-9", "QDRQ": "2021-06-01"}],
        [shapely.box(39641453, 2755704, 39641483, 2755804)],
    )  # fmt: skip  (30 %)
    _layer(
        store,
        tmp,
        "mining_right",
        [{"XKZH": "C3505002010", "YXQQ": "2020-01-01", "YXQZ": "2021-12-31"}],
        [shapely.box(39641513, 2755600, 39641700, 2755900)],
    )  # fmt: skip  (40 %, expired before 后时相)
    _layer(store, tmp, "military", [{"NAME": "某部"}], [shapely.box(39641543, 2755794, 39641600, 2755850)])


def _patches(store: Store, tmp: Path, geoms: list[Any], **extra: Any) -> None:
    path = write_vector(tmp / "p.gpkg", patch_rows(len(geoms), **extra), geoms)
    import_package(store, path, IntakeOptions(source=Source.ministry, region=REGION))


def _facts(store: Store) -> dict[str, Any]:
    with store.reading() as s:
        rows = s.execute(
            select(patches.c.patch_code, patch_facts).join(
                patch_facts, patch_facts.c.patch_id == patches.c.id
            )
        ).all()
    return {r.patch_code: r for r in rows}


def test_known_areas_records_and_flags(store: Store, tmp_path: Path) -> None:
    _county(store, tmp_path)
    _patches(store, tmp_path, [gk_square()], TBLX="20")
    summary = analyze(store, workers=1)
    assert summary.patches == 1
    assert set(summary.missing_kinds) == {
        "dev_boundary", "preapproval", "temporary_use", "facility_agri", "consolidation", "linkage", "stable_farmland", "riverside", "protected_area",
        "prior_patches",
    }  # fmt: skip
    f = _facts(store)["P0000"]
    assert f.area_m2 == pytest.approx(A, abs=0.01)
    assert f.farmland_m2 == pytest.approx(A / 4, rel=1e-4)
    assert f.agri_m2 == pytest.approx(A / 2, rel=1e-4)  # 0101 + 1006
    assert f.construction_m2 == pytest.approx(A / 4, rel=1e-4)
    assert f.unused_m2 == pytest.approx(A / 4, rel=1e-4)
    assert f.agri_m2 + f.construction_m2 + f.unused_m2 == pytest.approx(f.area_m2, abs=0.01)
    assert sorted(f.land_classes) == ["0101", "0404", "0702", "1006"]
    assert f.basic_farmland_m2 == pytest.approx(A / 2, rel=1e-4)  # two overlapping polygons, counted once
    assert f.eco_redline_m2 == 0
    assert (f.approval_kind, f.approval_no, f.approval_ratio) == (
        "conversion_approval",
        "闽政地〔2021〕1号",
        80.0,
    )
    assert (f.mining_status, f.mining_licence, f.mining_valid, f.is_mining) == (
        "straddling", "C3505002010", False, "是",
    )  # fmt: skip
    # 界外 is the patch minus the licence (60 %), not the whole patch.
    assert f.mining_outside_m2 == pytest.approx(0.6 * A, rel=1e-3)
    assert f.settlement_m2 == pytest.approx({"203": A / 4}, rel=1e-4)  # CZCSXM by area
    # 永农 (the west half, A/2) exceeds 耕地 (the SW quarter): all the 耕地 lies inside 永农.
    assert f.farmland_outside_basic_m2 == pytest.approx(0.0, abs=0.01)
    assert f.restricted and f.military_m2 > 0
    with store.reading() as s:
        recs = s.execute(select(patch_overlaps.c.kind, patch_overlaps.c.doc_no, patch_overlaps.c.doc_date,
                                patch_overlaps.c.ratio).order_by(patch_overlaps.c.kind)).all()  # fmt: skip
    got = [(k, d, t, round(r, 3)) for k, d, t, r in recs]
    assert got == [
        ("conversion_approval", "闽政地〔2021〕1号", "2021-05-01", 0.8),
        ("land_supply", "HT-2021-9", "2021-06-01", 0.3),
        ("military", "某部", None, 0.01),  # a 10 m × 10 m corner
        ("mining_right", "C3505002010", None, 0.4),
    ]


def test_farmland_outside_basic_farmland_by_each_route(store: Store, tmp_path: Path) -> None:
    # 永农 a copy of a 耕地 parcel, one inside a parcel, one across two parcels, one over a whole
    # parcel and beyond: each route (永农 ⊆ 耕地, 耕地 ⊆ 永农, the union) gives the known figure.
    x, y = ORIGIN
    land = [
        (-50, -50, "0101"),
        (50, -50, "0101"),
        (-50, 50, "0404"),
        (50, 50, "0103"),
        (300, 0, "0101"),
        (350, 0, "0404"),
    ]
    squares = [gk_square(dx, dy, 50 if dx >= 300 else 100) for dx, dy, _ in land]
    _layer(store, tmp_path, "landuse", [{"DLBM": c} for *_, c in land], squares)
    basic = [
        squares[0],  # the same polygon as the SW parcel
        shapely.box(x + 60, y - 40, x + 140, y + 40),  # inside the SE parcel
        shapely.box(x + 20, y + 60, x + 80, y + 90),  # across NW (0404) and NE (0103)
        shapely.box(x + 290, y - 10, x + 360, y + 60),  # over the 0101 at 300 and beyond
    ]
    _layer(store, tmp_path, "basic_farmland", [{"ID": i} for i in range(4)], basic)
    _patches(
        store,
        tmp_path,
        [gk_square(), gk_square(-40, -40, 50), gk_square(100, -20, 80), gk_square(320, 10, 60)],
    )
    analyze(store, workers=1)
    f = _facts(store)
    k = A / 10_000  # ellipsoidal m² a GK m² here
    # P0000: 耕地 7,500 less 永农 on 耕地 2,500 + 1,600 + 900 (the NE part of the strip)
    assert f["P0000"].farmland_m2 == pytest.approx(7_500 * k, rel=1e-4)
    assert f["P0000"].farmland_outside_basic_m2 == pytest.approx(2_500 * k, rel=1e-4)
    assert f["P0001"].farmland_outside_basic_m2 == pytest.approx(0.0, abs=0.01)  # all under the copy
    assert f["P0002"].farmland_outside_basic_m2 == pytest.approx((4_000 - 2_400) * k, rel=1e-4)
    assert f["P0003"].basic_farmland_m2 == pytest.approx(2_000 * k, rel=1e-4)  # more than its 耕地
    assert f["P0003"].farmland_outside_basic_m2 == pytest.approx(0.0, abs=0.01)


def test_gauss_kruger_method_and_rerun_replaces(store: Store, tmp_path: Path) -> None:
    _county(store, tmp_path)
    _patches(store, tmp_path, [gk_square(), gk_square(-50, -50, 50)])
    analyze(store, workers=1)
    analyze(store, workers=1, method=AreaMethod("gauss_kruger", 4527))
    f = _facts(store)
    assert f["P0000"].area_method == "gauss_kruger:4527"
    assert f["P0000"].area_m2 == pytest.approx(10_000.0, abs=0.01)
    assert f["P0000"].agri_m2 + f["P0000"].construction_m2 + f["P0000"].unused_m2 == pytest.approx(
        10_000.0, abs=0.01
    )
    assert f["P0001"].farmland_m2 == pytest.approx(2_500.0, abs=0.01)  # wholly in the 0101 square
    with store.reading() as s:
        assert len(s.execute(select(patch_overlaps.c.id)).all()) == 4  # the rerun replaced, not added


def test_new_layer_version_marks_results_stale(store: Store, tmp_path: Path) -> None:
    _county(store, tmp_path)
    _patches(store, tmp_path, [gk_square()])
    analyze(store, workers=1)
    assert not _facts(store)["P0000"].stale
    _layer(store, tmp_path, "eco_redline", [{"ID": 1}], [gk_square()])
    assert _facts(store)["P0000"].stale
    analyze(store, workers=1)
    f = _facts(store)["P0000"]
    assert not f.stale and f.eco_redline_m2 == pytest.approx(A, abs=0.01)


def test_pool_and_dask_give_identical_results(store: Store, tmp_path: Path) -> None:
    _county(store, tmp_path)
    geoms = [gk_square(dx, dy, 40) for dx in range(-100, 150, 60) for dy in range(-100, 150, 60)]
    _patches(store, tmp_path, geoms)
    analyze(store, workers=1, chunk_size=7)
    inline = {k: tuple(v)[3:] for k, v in _facts(store).items()}
    analyze(store, workers=2, chunk_size=7)
    pooled = {k: tuple(v)[3:] for k, v in _facts(store).items()}

    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None, processes=True) as cluster:
        summary = analyze(store, scheduler=cluster.scheduler_address, chunk_size=7)
    assert summary.engine.startswith("dask:") and summary.chunks == 4
    dasked = {k: tuple(v)[3:] for k, v in _facts(store).items()}

    def strip(d: dict[str, tuple[Any, ...]]) -> dict[str, tuple[Any, ...]]:
        return {k: v[:-1] for k, v in d.items()}  # drop computed_at

    assert len(inline) == 25
    assert strip(inline) == strip(pooled) == strip(dasked)


def test_linkage_counts_only_its_new_construction_zone(store: Store, tmp_path: Path) -> None:
    # 增减挂钩: the 建新区 is a legal basis, the 拆旧区 (to be returned to farming) is not.
    _layer(store, tmp_path, "landuse", [{"DLBM": "0101"}], [gk_square(-100, -100, 300)])
    x, y = ORIGIN
    west, east = shapely.box(x, y, x + 50, y + 100), shapely.box(x + 50, y, x + 100, y + 100)
    rows = [{"PFWH": "闽挂〔2022〕8号", "QKLX": "建新区"}, {"PFWH": "闽挂〔2022〕8号", "QKLX": "拆旧区"}]
    _layer(store, tmp_path, "linkage", rows, [west, east])
    _patches(store, tmp_path, [gk_square()])
    analyze(store, workers=1)
    with store.reading() as s:
        recs = s.execute(select(patch_overlaps.c.kind, patch_overlaps.c.ratio)).all()
    assert [(k, round(r, 2)) for k, r in recs] == [("linkage", 0.5)]


def test_priority_layers_and_the_licence_mineral(store: Store, tmp_path: Path) -> None:
    # 可以长期稳定利用耕地 (the west half), 江河沿岸 (all), and a 稀土 licence over the patch.
    x, y = ORIGIN
    _layer(store, tmp_path, "landuse", [{"DLBM": "0101"}], [gk_square(-100, -100, 300)])
    _layer(store, tmp_path, "stable_farmland", [{"ID": 1}], [shapely.box(x - 10, y - 10, x + 50, y + 110)])
    _layer(store, tmp_path, "riverside", [{"MC": "东溪缓冲区"}], [gk_square(-100, -100, 300)])
    _layer(
        store, tmp_path, "mining_right",
        [{"XKZH": "C3505002019", "KZ": "离子型稀土", "YXQQ": "2019-01-01", "YXQZ": "2029-12-31"}],
        [gk_square(-100, -100, 300)],
    )  # fmt: skip
    _patches(store, tmp_path, [gk_square()], TBLX="CK")
    analyze(store, workers=1)
    f = _facts(store)["P0000"]
    assert f.stable_farmland_m2 == pytest.approx(A / 2, rel=1e-3)
    assert f.riverside_m2 == pytest.approx(A, rel=1e-4)
    assert f.mining_mineral == "离子型稀土"
    from weipian.rules import load_rules
    from weipian.services.judge import judge_patches
    from weipian.storage.tables import suggestions

    judge_patches(store, load_rules())
    with store.reading() as s:
        flags = s.scalar(select(suggestions.c.flags))
    assert {"stable_farmland", "riverside", "strategic_mineral"} <= set(flags)


def _figures(store: Store) -> tuple[dict[str, tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Every patch's facts and overlapped records, keyed by patch code, without ids or times."""
    facts = {k: tuple(v)[4:-1] for k, v in _facts(store).items()}  # area_m2 … stale
    with store.reading() as s:
        rows = s.execute(
            select(patches.c.patch_code, patch_overlaps.c.kind, patch_overlaps.c.doc_no, patch_overlaps.c.area_m2,
                   patch_overlaps.c.ratio)
            .join(patches, patches.c.id == patch_overlaps.c.patch_id)
        ).all()  # fmt: skip
    return facts, sorted(tuple(r) for r in rows)


@pytest.mark.postgis
def test_sqlite_postgis_and_dask_give_the_same_figures(pg_schema_url: str, tmp_path: Path) -> None:
    from distributed import LocalCluster

    from weipian.services.admin import init_store

    # Patches crossing the four landuse squares, the zones and the records, in several chunks.
    geoms = [gk_square(dx, dy, 70) for dx in range(-120, 160, 45) for dy in range(-120, 160, 45)]
    figures = {}
    for name, url in (("sqlite", f"sqlite:///{tmp_path / 'w.db'}"), ("postgis", pg_schema_url)):
        store = Store(url)
        init_store(store)
        (tmp_path / name).mkdir()
        _county(store, tmp_path / name)
        _patches(store, tmp_path / name, geoms)
        analyze(store, workers=2, chunk_size=9)
        figures[name] = _figures(store)
        if name == "sqlite":
            with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster:
                analyze(store, scheduler=cluster.scheduler_address, chunk_size=9)
            figures["dask"] = _figures(store)
        store.dispose()
    facts, records = figures["sqlite"]
    assert len(facts) == len(geoms) and len(records) > 20
    assert (
        sum(1 for f in facts.values() if 1 < f[1] < f[0] - 1) > 5
    )  # farmland in part: f = (area, farmland, …)
    assert figures["postgis"] == figures["sqlite"] == figures["dask"]


def _close(a: Any, b: Any, rel: float = 1e-6) -> bool:
    """Equal, floats to ``rel`` or 10 cm² (nested tuples, lists and dicts).

    The absolute part is for slivers: the squares are GK squares stored in lon/lat, so
    neighbours leave slivers of 1e-5 m², and 界外 (patch less licences) of a patch all but
    inside one is a difference of two 4,900 m² figures. Edges are straight in the plane used,
    so another plane moves such figures by ~1e-8 of the patch (1e-4 m² here).
    """
    if isinstance(a, float) and isinstance(b, float):
        return a == pytest.approx(b, rel=rel, abs=1e-3)
    if isinstance(a, tuple | list) and isinstance(b, tuple | list):
        return len(a) == len(b) and all(_close(x, y, rel) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k], rel) for k in a)
    return bool(a == b)


def test_stored_equal_area_copy_and_layers_without_one_agree(store: Store, tmp_path: Path) -> None:
    """Layers imported with their equal-area copy are measured in it (the county's plane); layers
    imported before it existed are projected per chunk into the patches' plane: same figures."""
    from sqlalchemy import update

    from weipian.storage.tables import layer_features, layers

    _county(store, tmp_path)
    _patches(
        store, tmp_path, [gk_square(dx, dy, 70) for dx in range(-120, 160, 45) for dy in range(-120, 160, 45)]
    )
    with store.reading() as s:
        assert (
            s.execute(select(layer_features.c.plane_wkb).where(layer_features.c.plane_wkb.is_(None))).first()
            is None
        )
        assert set(s.execute(select(layers.c.plane_lon, layers.c.plane_lat)).all()) == {plane_centre(REGION)}
    analyze(store, workers=1, chunk_size=9)
    stored = _figures(store)
    with store.writing() as s:
        s.execute(update(layers).values(plane_lon=None, plane_lat=None))
        s.execute(update(layer_features).values(plane_wkb=None))
    analyze(store, workers=1, chunk_size=9)
    projected = _figures(store)
    assert len(stored[0]) == 49 and len(stored[1]) > 20
    assert _close(stored, projected)
