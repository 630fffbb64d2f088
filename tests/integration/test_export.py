"""Result exports: GeoPackage, GBK shapefile and Excel, opened again and checked; military left out."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pyogrio
import pytest

from factories import gk_square, patch_rows, write_vector
from weipian.domain.layers import LayerKind
from weipian.domain.sources import Source
from weipian.errors import InputError
from weipian.services.analyze import analyze
from weipian.services.export import export_results
from weipian.services.intake import IntakeOptions, import_package
from weipian.services.layers import import_layer
from weipian.storage.store import Store

REGION = (117.8, 24.4, 118.9, 25.5)


@pytest.fixture
def analysed(store: Store, tmp_path: Path) -> Store:
    towns = write_vector(
        tmp_path / "t.gpkg", [{"XZQDM": "350583113", "XZQMC": "洪濑镇"}], [gk_square(-1000, -1000, 5000)]
    )
    import_layer(store, towns, LayerKind.townships, region=REGION)
    land = write_vector(tmp_path / "l.gpkg", [{"DLBM": "0101"}], [gk_square(-1000, -1000, 5000)])
    import_layer(store, land, LayerKind.landuse, region=REGION)
    mil = write_vector(tmp_path / "m.gpkg", [{"NAME": "某部"}], [gk_square(2000, 0, 200)])
    import_layer(store, mil, LayerKind.military, region=REGION)
    pkg = write_vector(tmp_path / "p.gpkg", patch_rows(3), [gk_square(0), gk_square(500), gk_square(2050)])
    import_package(store, pkg, IntakeOptions(source=Source.ministry, batch="2022年第1批", region=REGION))
    analyze(store, workers=1)
    return store


def test_gpkg_and_shapefile(analysed: Store, tmp_path: Path) -> None:
    for fmt in ("gpkg", "shp"):
        path = tmp_path / "out" / f"结果.{fmt}"
        summary = export_results(analysed, path, fmt=fmt)
        assert (summary.patches, summary.restricted_left_out) == (2, 1)  # P0002 lies on military land
        df = pyogrio.read_dataframe(path)
        assert sorted(df["JCBH"]) == ["P0000", "P0001"]
        assert set(df["XZMC"]) == {"洪濑镇"} and set(df["LY"]) == {"部卫片"}
        # The delivered county code stays; the derived township has its own field.
        assert set(df["XZQDM"]) == {"350583"} and set(df["XZDM"]) == {"350583113"}
        assert df["GDMJ"].tolist() == pytest.approx(df["JCMJ"].tolist())
        assert pyogrio.read_info(path)["crs"] == "EPSG:4490"
    dbf = (tmp_path / "out" / "结果.dbf").read_bytes()
    assert "洪濑镇".encode("gbk") in dbf and (tmp_path / "out" / "结果.cpg").read_text() == "GBK"
    assert not list((tmp_path / "out").glob(".weipian-*"))  # no staging left behind


def test_xlsx(analysed: Store, tmp_path: Path) -> None:
    path = tmp_path / "结果.xlsx"
    export_results(analysed, path, fmt="xlsx", batch="2022年第1批")
    ws = openpyxl.load_workbook(path).active
    assert ws["A1"].value == "卫片图斑内业比对结果（2022年第1批）"
    header = [c.value for c in ws[3]]
    assert header[:3] == ["JCBH", "XZQDM", "XZQMC"] and "GDMJ" in header
    # The person's filed areas have their own names, next to the desk GDMJ/YJJBNTMJ.
    assert {"WFMJ", "WFZYGDMJ", "WFZYJBNTMJ"} <= set(header)
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    assert [r[0] for r in rows] == ["P0000", "P0001"]
    assert ws.page_setup.fitToWidth == 1


def test_unknown_format_and_batch(analysed: Store, tmp_path: Path) -> None:
    with pytest.raises(InputError):
        export_results(analysed, tmp_path / "x.csv", fmt="csv")
    from weipian.errors import NotFound

    with pytest.raises(NotFound):
        export_results(analysed, tmp_path / "x.gpkg", fmt="gpkg", batch="没有这个批次")


def test_stable_farmland_area_is_a_column(analysed: Store, tmp_path: Path) -> None:
    """Issue 10, item 22: 可以长期稳定利用耕地 per patch (WDGDMJ) in every format; the layer covers
    P0000's south-west 40 m × 40 m and nothing of P0001, so P0000 has 16 % of its JCMJ, P0001 none."""
    stable = write_vector(tmp_path / "s.gpkg", [{"BSM": "1"}], [gk_square(-100, -100, 140)])
    import_layer(analysed, stable, LayerKind.stable_farmland, region=REGION)
    analyze(analysed, workers=1)
    for fmt in ("gpkg", "xlsx"):
        path = tmp_path / f"稳定耕地.{fmt}"
        export_results(analysed, path, fmt=fmt)
        if fmt == "gpkg":
            df = pyogrio.read_dataframe(path).set_index("JCBH")
            got = {code: (df.loc[code, "WDGDMJ"], df.loc[code, "JCMJ"]) for code in ("P0000", "P0001")}
        else:
            ws = openpyxl.load_workbook(path).active
            header = [c.value for c in ws[3]]
            rows = [dict(zip(header, r, strict=True)) for r in ws.iter_rows(min_row=4, values_only=True)]
            got = {r["JCBH"]: (r["WDGDMJ"], r["JCMJ"]) for r in rows}
        assert got["P0000"][0] == pytest.approx(0.16 * got["P0000"][1], rel=1e-3), fmt
        assert not got["P0001"][0], fmt
