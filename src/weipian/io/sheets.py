"""The offline determination sheet: a township fills it in Excel without network access, the
bureau imports it back.

Row 1 is the title, row 2 Chinese headers, row 3 the field codes the importer reads (so columns
may be moved or hidden), data from row 4. Identity columns (source, year, XZQDM, JCBH) make each
row point at exactly one patch.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from weipian.errors import InputError
from weipian.io.xlsx import fit_widths, set_text_safe

IDENTITY = (("JCBH", "监测编号"), ("LY", "来源"), ("NF", "年度"), ("XZQDM", "行政区代码"))
INFO = (
    ("XZQMC", "乡镇（街道）"),
    ("JCMJ", "监测面积（㎡）"),
    ("YPJG", "预判结果"),
    ("YPLY", "预判理由"),
    ("ZT", "状态"),
)
FILL = (
    ("PDJG", "判定结果*"),
    ("XHLX", "细化类型"),
    ("RDYJ", "核实认定意见"),
    ("WFLX", "违法类型"),
    ("WFMJ", "违法用地面积（㎡）"),
    ("WFZYGDMJ", "违法占用耕地面积（㎡）"),
    ("WFZYJBNTMJ", "违法占用永久基本农田面积（㎡）"),
    ("PW", "批文（途径:文号:占比%，多个用；分隔）"),
    ("XZ", "新增/存量"),
    ("XMMC", "项目名称"),
    ("XMZT", "项目主体"),
    ("JSSJ", "建设时间"),
    ("SDMS", "实地情况"),
    ("SFSK", "是否涉矿（是/否）"),
    ("KCPD", "矿产判定"),
    ("KCCL", "矿产处理方式"),
    ("LZLB", "乱占耕地建房类别"),
)
COLUMNS = (*IDENTITY, *INFO, *FILL)
# Codes of sheets written before the filed areas got their own names (GDMJ/YJJBNTMJ are the desk
# figures everywhere else): read as the new codes.
LEGACY_CODES = {"GDMJ": "WFZYGDMJ", "JBNTMJ": "WFZYJBNTMJ"}


def write_sheet(path: Path, rows: Sequence[dict[str, Any]], title: str, verdicts: Sequence[str]) -> None:
    """Write the fill-in sheet with one row per patch; PDJG gets a drop-down of ``verdicts``."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = "判定填报"
    ws.cell(1, 1, title).font = Font(size=14, bold=True)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(COLUMNS))
    ws.row_dimensions[1].height = 28
    fill_codes = {c for c, _ in FILL}
    for j, (code, label) in enumerate(COLUMNS, start=1):
        colour = "FFF2CC" if code in fill_codes else "DDEBF7"
        for row, text in ((2, label), (3, code)):
            cell = ws.cell(row, j, text)
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor=colour)
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(j)].width = (
            18 if code not in ("YPLY", "RDYJ", "PW", "SDMS") else 36
        )
    ws.row_dimensions[2].height = 36
    for i, r in enumerate(rows, start=4):
        for j, (code, _) in enumerate(COLUMNS, start=1):
            set_text_safe(ws, i, j, r.get(code))  # delivered text is never a formula
    sample = ([r.get(code) for code, _ in COLUMNS] for r in rows)
    labels = [label[: max(len(label) // 2, 6)] for _, label in COLUMNS]  # headers wrap
    for j, width in enumerate(fit_widths(labels, sample), start=1):
        ws.column_dimensions[get_column_letter(j)].width = max(width, 12)
    pdjg_col = get_column_letter([c for c, _ in COLUMNS].index("PDJG") + 1)
    dv = DataValidation(type="list", formula1='"' + ",".join(verdicts) + '"', allow_blank=True)
    dv.add(f"{pdjg_col}4:{pdjg_col}{max(len(rows) + 3, 4)}")
    ws.add_data_validation(dv)
    ws.freeze_panes = "B4"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    tmp = path.with_name(f".{path.name}.part")
    wb.save(tmp)
    tmp.replace(path)


def read_sheet(path: Path) -> list[tuple[int, dict[str, Any]]]:
    """(Excel row number, {field code: value}) for every non-empty data row."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise InputError("sheet.unreadable", path=str(path), detail=str(exc)[:200]) from exc
    ws = wb.active
    rows = list(ws.iter_rows(values_only=True))
    wb.close()
    if len(rows) < 3:
        raise InputError("sheet.missing_column", path=str(path), column="JCBH")
    codes = [str(c).strip() if c is not None else "" for c in rows[2]]
    codes = [LEGACY_CODES[c] if c in LEGACY_CODES and LEGACY_CODES[c] not in codes else c for c in codes]
    for needed in ("JCBH", "PDJG"):
        if needed not in codes:
            raise InputError("sheet.missing_column", path=str(path), column=needed)
    out = []
    for n, values in enumerate(rows[3:], start=4):
        record = {c: v for c, v in zip(codes, values, strict=False) if c}
        if any(v not in (None, "") for v in record.values()):
            out.append((n, record))
    return out
