"""The 月清月结 report and the annual results report as editable Word documents (python-docx).

The bureau's style: 方正小标宋 title, 黑体 headings, 仿宋_GB2312 body (East Asian font names set
on every run; Linux renders them with Noto CJK), tables in 宋体, 亩 with two decimals.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from weipian.io.reports.content import ReportContent, housing_words, mu, pct_text
from weipian.io.reports.files import save_atomically
from weipian.messages import period_key_text
from weipian.messages.labels import CASE_KIND_LABELS
from weipian.stats.figures import Figures
from weipian.stats.tables import LeadRow, lead_row

TITLE_FONT, HEADING_FONT, BODY_FONT, TABLE_FONT = "方正小标宋简体", "黑体", "仿宋_GB2312", "宋体"
WARNING = {"red": "超过问责线", "amber": "预警", None: "正常"}


def _font(run: Any, east_asian: str, size: float, bold: bool = False) -> None:
    run.font.name = "Times New Roman"
    run.font.size = Pt(size)
    run.font.bold = bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), east_asian)


def _para(doc: Any, text: str, *, font: str = BODY_FONT, size: float = 14, bold: bool = False,
          center: bool = False, indent: bool = True, keep_with_next: bool = False) -> Any:  # fmt: skip
    p = doc.add_paragraph()
    p.paragraph_format.keep_with_next = keep_with_next
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif indent:
        p.paragraph_format.first_line_indent = Pt(size * 2)
    p.paragraph_format.line_spacing = Pt(size * 1.9)
    _font(p.add_run(text), font, size, bold)
    return p


def _heading(doc: Any, text: str) -> None:
    _para(doc, text, font=HEADING_FONT, size=15, indent=True, keep_with_next=True)


TEXT_WIDTH_CM = 15.8  # A4 less the 2.6 cm margins
CELL_MARGIN_CM = 0.08


def _text_width(text: str) -> int:
    """Display width in half-ems: a CJK character counts two."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _widths(header: Sequence[str], body: Sequence[Sequence[str]], size_pt: float) -> list[float]:
    """Column widths (cm) from the content: figures on one line, a long name or a header allowed
    to wrap (a header over up to three lines); the slack, or the shortfall, shared in proportion."""
    half_em_cm = size_pt / 2 * 2.54 / 72
    need = []
    for j, head in enumerate(header):
        cells = [_text_width(row[j]) for row in body if j < len(row)]
        longest = max([4, -(-_text_width(head) // 3), *cells])
        need.append(CELL_MARGIN_CM * 2 + half_em_cm * min(longest, 14) + 0.05)
    scale = TEXT_WIDTH_CM / sum(need)
    return [n * scale for n in need]


def _narrow_margins(table: Any) -> None:
    """Cell margins of 0.08 cm left and right (Word's default is 0.19): wide tables fit the page."""
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        m = OxmlElement(f"w:{side}")
        m.set(qn("w:w"), str(round(CELL_MARGIN_CM / 2.54 * 1440)))
        m.set(qn("w:type"), "dxa")
        margins.append(m)
    table._tbl.tblPr.append(margins)


def _cell_text(value: Any) -> str:
    return f"{value:.2f}" if isinstance(value, float) else ("" if value is None else str(value))


def _row_props(row: Any, *, header: bool) -> None:
    """Rows never split over a page; the header row repeats on every page the table runs onto."""
    props = row._tr.get_or_add_trPr()
    props.append(OxmlElement("w:cantSplit"))
    if header:
        props.append(OxmlElement("w:tblHeader"))


def _table(
    doc: Any, header: Sequence[str], rows: Sequence[Sequence[Any]], *, total: Sequence[Any] | None = None
) -> None:
    body = [[_cell_text(v) for v in row] for row in [*rows, *([total] if total is not None else [])]]
    if not rows:  # an empty period says so rather than printing a bare header
        body.insert(0, ["本期无数据", *[""] * (len(header) - 1)])
    t = doc.add_table(rows=1 + len(body), cols=len(header))
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    _narrow_margins(t)
    size = 9 if len(header) <= 9 else 8
    widths = _widths(header, body, size)
    for column, width in zip(t.columns, widths, strict=True):
        column.width = Cm(width)  # the grid: LibreOffice lays a table out by it, not by the cells
    # One pass per row over its cells: ``table.cell(i, j)`` walks the whole grid on every call.
    last = len(body) if total is not None else -1
    for i, (row, values) in enumerate(zip(t.rows, [list(header), *body], strict=True)):
        _row_props(row, header=i == 0)
        for cell, text, width in zip(row.cells, values, widths, strict=False):
            cell.width = Cm(width)
            para = cell.paragraphs[0]
            _font(para.add_run(text), TABLE_FONT, size, bold=i == 0 or i == last)
            para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if not rows:
        merged = t.cell(1, 0).merge(t.cell(1, len(header) - 1))
        for extra in merged.paragraphs[1:]:  # the merged cells' own (empty) paragraphs
            extra._element.getparent().remove(extra._element)
    doc.add_paragraph()


def _picture(doc: Any, png: bytes, width_cm: float = 15.5) -> None:
    doc.add_picture(io.BytesIO(png), width=Cm(width_cm))
    doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER


def _new_document(c: ReportContent) -> Any:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.orientation = WD_ORIENT.PORTRAIT
    section.left_margin = section.right_margin = Cm(2.6)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    # 二号 fits a title of up to 18 characters on one line; a longer one is set in 小二.
    _para(doc, c.title, font=TITLE_FONT, size=22 if len(c.title) <= 18 else 18, center=True)
    _para(doc, f"{c.county}自然资源局　{c.on.year}年{c.on.month}月{c.on.day}日", size=14, center=True)
    return doc


def _summary(c: ReportContent) -> str:
    f = c.county_figures
    parts = [
        f"{c.period_label}，{c.county}共有卫片图斑 {f.patches} 个、面积 {mu(f.area_m2):.2f} 亩，"
        f"已完成判定 {f.determined} 个，其中合法 {f.legal} 个、违法 {f.illegal} 个"
        f"（违法面积 {mu(f.illegal_area_m2):.2f} 亩）。",
        f"新增违法占用耕地 {mu(f.illegal_farmland_m2):.2f} 亩，新增建设用地占用耕地 "
        f"{mu(f.new_construction_farmland_m2):.2f} 亩，违法占用耕地比例 {pct_text(f.illegal_farmland_ratio_pct)}"
        f"（问责线 {c.line_pct:g}%，{WARNING[f.warning_level]}）。",
        f"已整改 {f.rectified} 宗、整改率（宗数）{pct_text(f.rectification_rate_count_pct)}，"
        f"按耕地面积 {pct_text(f.rectification_rate_area_pct)}；已销号 {f.closed_out} 宗；立案 {f.cases_filed} 宗、"
        f"结案 {f.cases_closed} 宗。",
        f"新增农村乱占耕地建房 {f.housing} 宗（{mu(f.housing_area_m2):.2f} 亩）；15 日按期核查率 "
        f"{pct_text(f.on_time_rate_pct)}，月清率 {pct_text(f.closure_rate_pct)}，逾期未核查 {f.overdue} 个。",
    ]
    return "".join(parts)


def _unit_rows(c: ReportContent) -> tuple[list[list[Any]], list[Any]]:
    rows = []
    for u in c.units:
        f = u.figures
        rows.append([
            u.name, f.patches, f.determined, f.illegal, mu(f.illegal_area_m2), mu(f.illegal_farmland_m2),
            mu(f.new_construction_farmland_m2), pct_text(f.illegal_farmland_ratio_pct), f.rectified,
            pct_text(f.rectification_rate_count_pct), f.overdue, f.housing,
        ])  # fmt: skip
    f = c.county_figures
    total = ["合计", f.patches, f.determined, f.illegal, mu(f.illegal_area_m2), mu(f.illegal_farmland_m2),
             mu(f.new_construction_farmland_m2), pct_text(f.illegal_farmland_ratio_pct), f.rectified,
             pct_text(f.rectification_rate_count_pct), f.overdue, f.housing]  # fmt: skip
    return rows, total


UNIT_HEADER = ("单位", "图斑", "已判定", "违法", "违法面积(亩)", "违法占耕(亩)", "新增建设占耕(亩)", "比例",
               "已整改", "整改率", "逾期", "乱占")  # fmt: skip


def _save(doc: Any, path: Path) -> Path:
    return save_atomically(path, doc.save)


def write_annual(path: Path, c: ReportContent) -> Path:
    """The annual results report (年度卫片执法成果报告)."""
    doc = _new_document(c)
    if c.due:
        _para(doc, f"（按规定于 {c.due.year}年{c.due.month}月{c.due.day}日前报送）", size=12, center=True)
    _heading(doc, "一、总体情况")
    if c.empty:
        _para(doc, f"{c.period_label}没有卫片图斑数据，以下各表为空。")
    else:
        _para(doc, _summary(c))
    _heading(doc, "二、各乡镇（街道）违法占用耕地比例")
    rows, total = _unit_rows(c)
    _table(doc, UNIT_HEADER, rows, total=total)
    if c.charts:
        _picture(doc, c.charts.ratio)
        _picture(doc, c.charts.unit_map, 14)
    _heading(doc, "三、违法图斑整改情况")
    lead = [_lead_cells(r) for r in c.lead]
    _table(doc, ("单位", "违法宗数", "违法面积(亩)", "耕地(亩)", "已整改", "已整改面积(亩)", "拆除(亩)", "补办(亩)",
                 "未整改", "未整改面积(亩)", "未整改耕地(亩)", "总=已+未", "已=拆+补"), lead,
           total=_lead_cells(lead_row("合计", c.county_figures)))  # fmt: skip
    _para(doc, "校验：总 = 已整改 + 未整改（宗数、面积、耕地），已整改 = 拆除 + 补办（面积、耕地）；"
          "面积按平方米合计后换算为亩，逐行相加可能有 0.01 亩的舍入差。", size=11)  # fmt: skip
    if c.charts:
        _picture(doc, c.charts.rectification)
    _heading(doc, "四、新增农村乱占耕地建房")
    housing = [[*housing_words(h), h.count, mu(h.area_m2), mu(h.farmland_m2), mu(h.basic_farmland_m2)]
               for h in c.housing]  # fmt: skip
    _table(doc, ("类别", "认定意见", "宗数", "面积(亩)", "占耕地(亩)", "占永久基本农田(亩)"), housing)
    if c.charts:
        _picture(doc, c.charts.housing, 13)
    _heading(doc, "五、立案查处与问责")
    cases = [[CASE_KIND_LABELS[r.kind], r.carried_over, r.filed, r.closed, r.open_at_end, r.discipline, r.organisational, r.judicial,
              f"{r.fine_yuan:.2f}"] for r in c.cases]  # fmt: skip
    _table(doc, ("类别", "上年结转", "本年立案", "本年结案", "年末未结", "党纪政务处分(人)", "组织处理(人)",
                 "移送司法(人)", "罚款(元)"), cases)  # fmt: skip
    _heading(doc, "六、乡镇（街道）排名与警示约谈")
    ranked = sorted(
        (u for u in c.units if u.evaluation), key=lambda u: u.evaluation.rank if u.evaluation else 0
    )
    _table(doc, ("排名", "单位", "比例", "未整改耕地(亩)", "乱占宗数", "按期率", "约谈"), [
        [u.evaluation.rank if u.evaluation else "", u.name, pct_text(u.figures.illegal_farmland_ratio_pct),
         mu(u.figures.unrectified_farmland_m2), u.figures.housing, pct_text(u.figures.on_time_rate_pct),
         "是" if u.evaluation and u.evaluation.interview else ""] for u in ranked])  # fmt: skip
    _interviews(doc, c)
    _heading(doc, "七、抄告移送")
    _table(doc, ("部门", "移送", "已办结", "逾期办结", "未办结", "已逾期"),
           [[r.department, r.sent, r.finished, r.finished_late, r.open, r.overdue] for r in c.referrals])  # fmt: skip
    _heading(doc, "八、分季度情况")
    _table(doc, ("季度", "图斑", "已判定", "合法", "违法", "违法面积(亩)", "违法占耕(亩)"), [
        [period_key_text(k), f.patches, f.determined, f.legal, f.illegal, mu(f.illegal_area_m2),
         mu(f.illegal_farmland_m2)] for k, f in c.by_period])  # fmt: skip
    if c.charts:
        _heading(doc, "九、图斑分布")
        _picture(doc, c.charts.patch_map, 14)
    _para(
        doc,
        "注：面积单位为亩（1 亩 = 666.67 平方米），由平方米换算，保留两位小数；涉军事用地图斑只计数，不列明细。",
        size=11,
    )
    return _save(doc, path)


def _lead_cells(r: LeadRow) -> list[Any]:
    return [r.name, r.total, mu(r.total_area_m2), mu(r.total_farmland_m2), r.rectified, mu(r.rectified_area_m2),
            mu(r.demolished_area_m2), mu(r.regularised_area_m2), r.unrectified, mu(r.unrectified_area_m2),
            mu(r.unrectified_farmland_m2), "是" if r.check_total else "否", "是" if r.check_rectified else "否"]  # fmt: skip


def _interviews(doc: Any, c: ReportContent) -> None:
    from weipian.messages import message

    listed = [u for u in c.units if u.evaluation and u.evaluation.interview]
    if not listed:
        _para(doc, "本期没有乡镇（街道）达到警示约谈条件。")
        return
    _para(doc, f"达到警示约谈条件的乡镇（街道）{len(listed)} 个，名单及原因如下：", keep_with_next=True)
    rows = [
        [u.evaluation.rank if u.evaluation else "", u.name,
         "；".join(message(r.code, **dict(r.params)) for r in u.evaluation.reasons) if u.evaluation else ""]
        for u in sorted(listed, key=lambda u: u.evaluation.rank if u.evaluation else 0)
    ]  # fmt: skip
    _table(doc, ("排名", "单位", "约谈原因"), rows)


def write_monthly_docx(path: Path, c: ReportContent) -> Path:
    """The 月清月结 report for one month."""
    doc = _new_document(c)
    _heading(doc, "一、本月图斑核查情况")
    f = c.county_figures
    if c.empty:
        _para(doc, f"{c.period_label}没有下发卫片图斑，本月无月清月结任务。")
    else:
        _para(doc, f"{c.period_label}共下发图斑 {f.closure_issued} 个，当月完成判定提交且未被退回 {f.closure_done} 个，"
              f"月清率 {pct_text(f.closure_rate_pct)}；15 日按期核查率 {pct_text(f.on_time_rate_pct)}；"
              f"目前逾期未核查 {f.overdue} 个。" + _summary(c))  # fmt: skip
    _heading(doc, "二、各乡镇（街道）月清情况")
    rows = [[u.name, u.figures.closure_issued, u.figures.closure_done, pct_text(u.figures.closure_rate_pct),
             pct_text(u.figures.on_time_rate_pct), u.figures.overdue, u.figures.illegal, u.figures.housing]
            for u in c.units]  # fmt: skip
    total = ["合计", f.closure_issued, f.closure_done, pct_text(f.closure_rate_pct), pct_text(f.on_time_rate_pct),
             f.overdue, f.illegal, f.housing]  # fmt: skip
    _table(
        doc, ("单位", "本月下发", "当月完成", "月清率", "按期率", "逾期", "违法", "乱占"), rows, total=total
    )
    _heading(doc, "三、汇总")
    rows2, total2 = _unit_rows(c)
    _table(doc, UNIT_HEADER, rows2, total=total2)
    return _save(doc, path)


def figures_line(f: Figures) -> str:
    """One line of the county's headline figures (for messages)."""
    return f"图斑 {f.patches} 个，违法 {f.illegal} 个，比例 {pct_text(f.illegal_farmland_ratio_pct)}"
