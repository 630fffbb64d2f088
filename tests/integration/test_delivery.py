"""``export ministry|province``: filing fields, delivered codes kept, GBK shapefile, the check,
formula-looking text kept as text, restricted patches never included. Both backends."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pyogrio
import pytest

from factories import HONGLAI, REGION, gk_square, patch_rows, small_county, write_vector
from photos import field_photo
from weipian.domain.roles import Actor, Role
from weipian.domain.sources import Source
from weipian.errors import InputError
from weipian.rules import Determination, load_rules
from weipian.services import workflow
from weipian.services.delivery import export_delivery
from weipian.services.evidence import add_evidence
from weipian.services.intake import IntakeOptions, import_package
from weipian.storage.store import Store
from weipian.storage.workflow import find_patch

RULES = load_rules()
TODAY = dt.date(2022, 11, 20)
ADMIN = Actor("管理员", Role.bureau_admin)
FORMULA = '=HYPERLINK("http://evil.example","点我")'


def illegal(**kw: Any) -> Determination:
    base: dict[str, Any] = dict(
        verdict="违法", subtype="厂房类", opinion="未批先建", project_name=FORMULA, project_owner="张某",
        violation_type="违法占地", illegal_area_m2=5000.0, farmland_area_m2=4000.0, basic_farmland_area_m2=0.0,
        is_new=True,
    )  # fmt: skip
    base.update(kw)
    return Determination(**base)


@pytest.fixture
def county(store: Store, tmp_path: Path) -> Store:
    small_county(store, tmp_path)
    with store.reading() as s:
        pid = find_patch(s, "P0000").id
    add_evidence(
        store, tmp_path / "files", pid, filename="远景.jpg", data=field_photo(), kind="photo", actor=ADMIN, max_bytes=10**7,
        max_distance_m=100.0,
    )  # fmt: skip
    with store.writing() as s:
        workflow.save_determination(s, find_patch(s, "P0000"), illegal(), actor=ADMIN, rules=RULES, on=TODAY)
        workflow.submit(s, find_patch(s, "P0000"), actor=ADMIN)
    return store


def export(store: Store, path: Path, **kw: Any) -> Any:
    return export_delivery(store, path, platform="ministry", fmt=path.suffix[1:], rules=RULES, on=TODAY, **kw)


def test_check_lists_missing_fields_and_writes_nothing(county: Store, tmp_path: Path) -> None:
    target = tmp_path / "out" / "部报送.gpkg"
    with pytest.raises(InputError) as exc:
        export(county, target)
    assert exc.value.code == "delivery.incomplete"
    missing = {m["JCBH"]: m["fields"] for m in exc.value.params["missing"]}
    assert missing == {"P0001": ["PDJG"]}  # P0000 is complete; P0002 (military) is not even listed
    assert not target.exists() and not list(target.parent.glob("*"))


def test_forced_gpkg_keeps_delivered_codes_and_filing_fields(county: Store, tmp_path: Path) -> None:
    target = tmp_path / "部报送.gpkg"
    summary = export(county, target, force=True)
    assert (summary.patches, summary.restricted_left_out, summary.written) == (2, 1, True)
    assert [i.code for i in summary.incomplete] == ["P0001"]
    df = pyogrio.read_dataframe(target)
    assert df.crs.to_epsg() == 4490
    assert sorted(df["JCBH"]) == ["P0000", "P0001"]  # never the military P0002
    row = df.set_index("JCBH").loc["P0000"]
    assert row["XZQDM"] == "350583" and row["XZDM"] == HONGLAI and row["XZMC"] == "洪濑镇"
    assert (row["PDJG"], row["WFLX"], row["WFMJ"], row["WFGDMJ"], row["XZCL"]) == (
        "违法",
        "违法占地",
        5000.0,
        4000.0,
        "新增",
    )
    assert row["SFLZGD"] == "否" and row["RDYJ"] == "未批先建" and row["XMMC"] == FORMULA
    assert row["JZCL"].startswith("evidence/") and row["YPJG"] and row["YPLY"]


def test_shapefile_is_gbk_with_cpg(county: Store, tmp_path: Path) -> None:
    target = tmp_path / "部报送.shp"
    export(county, target, force=True)
    assert target.with_suffix(".cpg").read_text().strip().upper() in ("GBK", "CP936", "936")
    assert "GB" in target.with_suffix(".prj").read_text() or "2000" in target.with_suffix(".prj").read_text()
    df = pyogrio.read_dataframe(target, encoding="GBK")
    row = df.set_index("JCBH").loc["P0000"]
    assert row["XZMC"] == "洪濑镇" and row["XZQDM"] == "350583" and row["PDXL"] == "厂房类"
    assert "洪濑镇".encode("gbk") in target.with_suffix(".dbf").read_bytes()


def test_xlsx_keeps_formula_text_as_text(county: Store, tmp_path: Path) -> None:
    target = tmp_path / "部报送.xlsx"
    export(county, target, force=True)
    ws = openpyxl.load_workbook(target).active
    codes = [c.value for c in ws[3]]
    rows = {r[codes.index("JCBH")].value: r for r in ws.iter_rows(min_row=4)}
    cell = rows["P0000"][codes.index("XMMC")]
    assert cell.value == FORMULA and cell.data_type == "s"
    assert rows["P0000"][codes.index("WFMJ")].number_format == "0.00"
    assert ws.freeze_panes == "B4" and "P0002" not in rows
    assert ws["A1"].value == "部卫片图斑核查成果报送表（全部批次）"  # worded from document.title.delivery


def test_province_has_nothing_here(county: Store, tmp_path: Path) -> None:
    with pytest.raises(InputError) as exc:
        export_delivery(county, tmp_path / "省.gpkg", platform="province", fmt="gpkg", rules=RULES, on=TODAY)
    assert exc.value.code == "delivery.nothing"
    assert str(exc.value) == "没有可报送的省卫片图斑（涉军事用地图斑不在线报送）。"
    with pytest.raises(InputError) as exc:
        export_delivery(county, tmp_path / "省.gpkg", platform="province", fmt="gpkg", rules=RULES, on=TODAY,
                        batch="B1")  # fmt: skip
    assert str(exc.value) == "没有可报送的省卫片图斑（批次：B1）（涉军事用地图斑不在线报送）。"


@pytest.mark.parametrize(("delivered", "expected"), [("TBBH", ["TBBH"]), ("监测编号", ["JCBH"])])
def test_identifier_goes_back_under_its_delivered_name(
    county: Store, tmp_path: Path, delivered: str, expected: list[str]
) -> None:
    rows = [
        {(delivered if k == "JCBH" else k): v for k, v in r.items()}
        for r in patch_rows(2, prefix="S", XZQDM=HONGLAI)
    ]
    pkg = write_vector(tmp_path / "省.gpkg", rows, [gk_square(100, 100), gk_square(800, 100)])
    options = IntakeOptions(source=Source.province, batch="省1", issued=dt.date(2022, 11, 10), region=REGION)
    import_package(county, pkg, options)
    out = tmp_path / "省报送.gpkg"
    summary = export_delivery(county, out, platform="province", fmt="gpkg", rules=RULES, on=TODAY, force=True)
    assert summary.written
    df = pyogrio.read_dataframe(out)
    assert [c for c in df.columns if c in ("JCBH", "TBBH")] == expected
    assert sorted(df[expected[0]]) == ["S0000", "S0001"]
    assert set(df["XZQDM"]) == {HONGLAI}  # the delivered code, untouched
    ministry = pyogrio.read_dataframe(export(county, tmp_path / "部.gpkg", force=True).path)
    assert "JCBH" in ministry.columns and "TBBH" not in ministry.columns
