"""Documents opened and checked against the statistics: the annual and monthly reports, the
Excel ledgers, the military packet (市局 only), empty periods, bad input, PDF pages not blank."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest
from docx.oxml.ns import qn
from docx.shared import Cm
from PIL import Image
from sqlalchemy import update

from factories import HONGLAI, small_county
from weipian.domain.roles import Actor, Role
from weipian.errors import InputError, NotFound, PermissionDenied
from weipian.rules import Determination, load_rules
from weipian.services import documents, workflow
from weipian.services.admin import init_store
from weipian.services.stats import compute_stats
from weipian.storage.store import Store
from weipian.storage.tables import patches
from weipian.storage.workflow import find_patch

RULES = load_rules()
ON = dt.date(2023, 1, 10)
ADMIN = Actor("管理员", Role.bureau_admin)
FORMULA = "=1+1"


@pytest.fixture
def county(store: Store, tmp_path: Path) -> Store:
    return build_county(store, tmp_path)


def build_county(store: Store, tmp_path: Path) -> Store:
    small_county(store, tmp_path)
    det = Determination(
        verdict="违法", subtype="厂房类", opinion="未批先建", project_name=FORMULA, violation_type="违法占地",
        illegal_area_m2=5000.0, farmland_area_m2=4000.0, basic_farmland_area_m2=0.0, is_new=True,
        farmland_housing=True, farmland_housing_class="住宅类（单户）",
    )  # fmt: skip
    with store.writing() as s:
        workflow.save_determination(
            s, find_patch(s, "P0000"), det, actor=ADMIN, rules=RULES, on=dt.date(2022, 11, 20)
        )
        workflow.submit(s, find_patch(s, "P0000"), actor=ADMIN)
    return store


def text_of(path: Path) -> str:
    d = docx.Document(str(path))
    cells = [c.text for t in d.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in d.paragraphs] + cells)


def rows_of(path: Path) -> list[tuple[Any, ...]]:
    return list(openpyxl.load_workbook(path).active.iter_rows(values_only=True))


def test_annual_report_matches_the_stats(county: Store, tmp_path: Path) -> None:
    out = tmp_path / "年报.docx"
    with county.reading() as s:
        documents.annual_report(s, RULES, out, year=2022, on=ON)
        stats = compute_stats(s, RULES, on=ON, year=2022)
    d = docx.Document(str(out))
    assert d.paragraphs[0].text == "南安市2022年度卫片执法工作成果报告"
    text = text_of(out)
    c = stats.summary.county
    assert f"违法 {c.illegal} 个" in text and f"{c.illegal_farmland_ratio_pct:.2f}%" in text
    assert "2024" not in text and "2023年3月15日前报送" in text  # annual_report_due from the rule data
    assert len(d.inline_shapes) == 5  # three charts and two maps
    unit_table = d.tables[0]
    honglai = next(r for r in unit_table.rows if r.cells[0].text == "洪濑镇")
    assert [c.text for c in honglai.cells[1:6]] == ["1", "1", "1", "7.50", "6.00"]
    assert unit_table.rows[-1].cells[0].text == "合计" and unit_table.rows[-1].cells[1].text == str(c.patches)
    assert "警示约谈" in text and "15日按期核查率" in text
    assert "P0002" not in text  # military patches are only counted
    assert "2022年第4季度" in text and "2022Q4" not in text  # the quarter table in words (issued 2022-11-01)


def test_annual_report_tables_check_and_print_well(county: Store, tmp_path: Path) -> None:
    out = tmp_path / "年报.docx"
    with county.reading() as s:
        documents.annual_report(s, RULES, out, year=2022, on=ON)
        c = compute_stats(s, RULES, on=ON, year=2022).summary.county
    assert out.stat().st_mode & 0o044, "readable by the group and others, as the umask allows"
    d = docx.Document(str(out))
    assert d.paragraphs[1].text.startswith("南安市自然资源局")
    lead = next(
        t
        for t in d.tables
        if t.rows[0].cells[0].text == "单位" and t.rows[0].cells[5].text == "已整改面积(亩)"
    )
    total = [cell.text for cell in lead.rows[-1].cells]
    # 合计: 总 = 已整改 + 未整改 and 已整改 = 拆除 + 补办, as the county's figures.
    assert total[0] == "合计" and total[1] == str(c.illegal) and total[4] == str(c.rectified)
    assert total[8] == str(c.unrectified) and total[-2:] == ["是", "是"]
    assert int(total[1]) == int(total[4]) + int(total[8])
    assert abs(float(total[5]) - float(total[6]) - float(total[7])) < 0.015
    for table in d.tables:
        first = table.rows[0]._tr
        assert first.trPr is not None and first.trPr.find(qn("w:tblHeader")) is not None  # header repeats
        grid = [col.width for col in table.columns]
        assert all(grid) and abs(sum(grid) - Cm(15.8)) < Cm(0.05)  # the grid fills the text width
    cases = next(t for t in d.tables if t.rows[0].cells[1].text == "上年结转")
    assert [r.cells[0].text for r in cases.rows[1:3]] == ["土地", "矿产"]  # the core's kinds, worded here
    housing = next(t for t in d.tables if t.rows[0].cells[1].text == "认定意见")
    assert all(r.cells[0].text and r.cells[1].text for r in housing.rows[1:])  # no None left unworded
    referrals = next(t for t in d.tables if t.rows[0].cells[0].text == "部门")
    assert referrals.rows[1].cells[0].text == "本期无数据"  # no referral in the county


def test_monthly_report_docx_and_xlsx(county: Store, tmp_path: Path) -> None:
    with county.reading() as s:
        documents.monthly_report(s, RULES, tmp_path / "月报.docx", month="2022-11", on=ON)
        documents.monthly_report(s, RULES, tmp_path / "月报.xlsx", month="2022-11", on=ON)
        c = compute_stats(s, RULES, on=ON, month="2022-11").summary.county
    assert f"共下发图斑 {c.closure_issued} 个" in text_of(tmp_path / "月报.docx")
    wb = openpyxl.load_workbook(tmp_path / "月报.xlsx")
    ws = wb.active
    assert ws["A1"].value == "南安市2022年11月卫片执法月清月结情况报告" and ws.freeze_panes == "B5"
    assert ws["A2"].value == f"统计日期：{ON:%Y-%m-%d}"
    assert any(str(r) == "B3:D3" for r in ws.merged_cells.ranges)  # 月清 over three columns
    total = next(r for r in ws.iter_rows(min_row=5, values_only=True) if r[0] == "合计")
    assert total[1] == c.closure_issued == 3 and total[2] == c.closure_done
    assert ws.page_setup.fitToWidth == 1 and ws.print_title_rows == "$3:$4"


def test_empty_period_gives_a_valid_document_that_says_so(county: Store, tmp_path: Path) -> None:
    with county.reading() as s:
        documents.monthly_report(s, RULES, tmp_path / "空.docx", month="2030-01", on=ON)
        documents.annual_report(s, RULES, tmp_path / "空年报.docx", year=2030, on=ON)
        documents.ledger(s, RULES, tmp_path / "空.xlsx", kind="illegal", on=ON, year=2030)
    assert "没有下发卫片图斑" in text_of(tmp_path / "空.docx")
    assert "没有卫片图斑数据" in text_of(tmp_path / "空年报.docx")
    assert any(r[0] == "本期无数据" for r in rows_of(tmp_path / "空.xlsx"))


def test_bad_input(county: Store, tmp_path: Path) -> None:
    with county.reading() as s:
        with pytest.raises(InputError) as month:
            documents.monthly_report(s, RULES, tmp_path / "m.docx", month="2022-13", on=ON)
        with pytest.raises(InputError) as suffix:
            documents.annual_report(s, RULES, tmp_path / "a.pdf", year=2022, on=ON)
        with pytest.raises(NotFound):
            documents.ledger(s, RULES, tmp_path / "l.xlsx", kind="illegal", on=ON, unit="350583999")
    assert month.value.code == "stats.month_invalid" and suffix.value.code == "document.format"
    assert not list(tmp_path.glob("*.docx")) and not list(tmp_path.glob("*.xlsx"))


def test_ledgers(county: Store, tmp_path: Path) -> None:
    with county.reading() as s:
        for kind in ("illegal", "rectification", "housing"):
            documents.ledger(s, RULES, tmp_path / f"{kind}.xlsx", kind=kind, on=ON, year=2022)
    ws = openpyxl.load_workbook(tmp_path / "illegal.xlsx").active
    assert any(str(r) == "I3:K3" for r in ws.merged_cells.ranges)  # 面积（亩） over three columns
    body = {r[4].value: r for r in ws.iter_rows(min_row=5) if r[4].value and str(r[4].value).startswith("P")}
    assert set(body) == {"P0000"}  # P0001 undetermined, P0002 military: never listed here
    row = body["P0000"]
    assert row[5].value == FORMULA and row[5].data_type == "s"
    assert (row[8].value, row[9].value, row[8].number_format) == (7.5, 6.0, "0.00")
    assert row[-1].value == "新增"  # 备注: the core's remark codes, worded in the document
    rect = rows_of(tmp_path / "rectification.xlsx")
    total = next(r for r in rect if r[0] == "合计")
    assert total[1] == 1 and total[4] == 0 and total[13] == 1 and total[-2:] == ("是", "是")
    housing = rows_of(tmp_path / "housing.xlsx")
    assert any(r[3] == "P0000" and r[4] == "住宅类（单户）" and r[5] == "违法" for r in housing)


def test_ledgers_leave_out_patches_never_checked_against_military_land(county: Store, tmp_path: Path) -> None:
    """A patch imported before any military layer existed is withheld until it is checked."""
    with county.writing() as s:
        s.execute(update(patches).where(patches.c.patch_code == "P0000").values(military_layer_id=None))
    with county.reading() as s:
        for kind in ("illegal", "housing"):
            documents.ledger(s, RULES, tmp_path / f"{kind}.xlsx", kind=kind, on=ON, year=2022)
        assert compute_stats(s, RULES, on=ON, year=2022).summary.county.illegal == 1  # still counted
    for kind in ("illegal", "housing"):
        assert not any("P0000" in map(str, r) for r in rows_of(tmp_path / f"{kind}.xlsx"))


def test_military_packet_for_the_bureau_only(county: Store, tmp_path: Path) -> None:
    out = tmp_path / "涉军.xlsx"
    for role in (Role.township, Role.leader, Role.department):
        with county.reading() as s, pytest.raises(PermissionDenied):
            documents.military_packet(s, RULES, out, actor=Actor("x", role, HONGLAI), on=ON)
    assert not out.exists()
    with county.reading() as s:
        documents.military_packet(s, RULES, out, actor=Actor("审核员", Role.bureau_reviewer), on=ON)
    wb = openpyxl.load_workbook(out)
    ws = wb.active
    assert "涉密" in ws.title and ws["A1"].value == "【涉密·仅限离线报送】南安市涉军事用地卫片图斑清单"
    assert ws["A2"].value == f"涉密　仅限离线报送（机要渠道），不得网络传输　生成：审核员　{ON:%Y-%m-%d}"
    assert "仅限离线报送" in ws.oddHeader.center.text
    assert [
        r[2] for r in ws.iter_rows(min_row=5, values_only=True) if r[2] and str(r[2]).startswith("P")
    ] == ["P0002"]


@pytest.fixture
def sqlite_county(tmp_path: Path) -> Iterator[Store]:
    """The county on SQLite only: the PDF conversion does not depend on the backend."""
    store = Store(f"sqlite:///{tmp_path / 'pdf.db'}")
    init_store(store)
    yield build_county(store, tmp_path)
    store.dispose()


@pytest.mark.skipif(
    shutil.which("soffice") is None, reason="LibreOffice not installed (scripts/services installs it)"
)
def test_pdf_pages_are_not_blank(sqlite_county: Store, tmp_path: Path) -> None:
    county = sqlite_county
    out = tmp_path / "年报.docx"
    with county.reading() as s:
        documents.annual_report(s, RULES, out, year=2022, on=ON)
    pdf = documents.to_pdf(out)
    assert pdf is not None and pdf.read_bytes().startswith(b"%PDF")
    subprocess.run(["pdftoppm", "-png", "-r", "40", str(pdf), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) >= 3
    for page in pages[:3]:
        grey = Image.open(page).convert("L")
        dark = grey.point(lambda v: 255 if v < 200 else 0).histogram()[255]
        assert dark / (grey.width * grey.height) > 0.01, page.name
    artifacts = Path(__file__).resolve().parents[2] / "artifacts" / "reports"
    artifacts.mkdir(parents=True, exist_ok=True)
    shutil.copy(pages[0], artifacts / "annual-page-1.png")
