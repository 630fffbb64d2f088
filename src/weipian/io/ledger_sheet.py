"""The ledger workbook (整改台账.xlsx) for units that fill it offline: write and read.

Row 2 holds the Chinese headers, row 3 the field codes the import reads, data from row 4.
Every text cell is written as text: a value that starts with = + - @ stays text in Excel and is
never evaluated as a formula.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from weipian.errors import InputError
from weipian.io.xlsx import fit_widths

IDENTITY = (("JCBH", "监测编号"), ("LY", "来源"), ("NF", "年度"), ("XZQDM", "行政区代码"))
INFO = (
    ("ZRDW", "责任单位"),
    ("TZZT", "台账状态"),
    ("WFMJ", "违法面积（㎡）"),
    ("WFGDMJ", "违法占用耕地（㎡）"),
    ("WZGMJ", "未整改面积（㎡）"),
)
FILL = (
    ("ZRR", "整改责任人"),
    ("ZGCS", "整改措施（多项用、分隔）"),
    ("ZGSX", "整改时限（YYYY-MM-DD）"),
    ("CCMJ", "拆除面积（㎡，累计）"),
    ("CCGDMJ", "其中拆除耕地（㎡，累计）"),
    ("BBMJ", "补办面积（㎡，累计）"),
    ("BBGDMJ", "其中补办耕地（㎡，累计）"),
    ("JZQK", "本次进展情况"),
)
COLUMNS = (*IDENTITY, *INFO, *FILL)
FORMULA_START = ("=", "+", "-", "@")


def write_ledger(path: Path, rows: Sequence[dict[str, Any]], title: str) -> None:
    """Write one row per ledger record; the fill-in columns are coloured."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "整改台账"
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
    ws.row_dimensions[2].height = 36
    for i, r in enumerate(rows, start=4):
        for j, (code, _) in enumerate(COLUMNS, start=1):
            value = r.get(code)
            cell = ws.cell(i, j)
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever it starts with
    labels = [label[: max(len(label) // 2, 6)] for _, label in COLUMNS]
    for j, width in enumerate(fit_widths(labels, ([r.get(c) for c, _ in COLUMNS] for r in rows)), start=1):
        ws.column_dimensions[get_column_letter(j)].width = max(width, 12)
    ws.freeze_panes = "B4"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    tmp = path.with_name(f".{path.name}.part")
    wb.save(tmp)
    tmp.replace(path)


def read_ledger(path: Path) -> list[tuple[int, dict[str, Any]]]:
    """(Excel row number, {field code: value}) of every row with something in a fill-in column."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:
        raise InputError("sheet.unreadable", path=str(path), detail=str(exc)[:200]) from exc
    ws = wb.active
    rows = list(ws.iter_rows(values_only=True))
    wb.close()
    codes = [str(c).strip() if c is not None else "" for c in rows[2]] if len(rows) >= 3 else []
    for needed in ("JCBH", *(c for c, _ in FILL)):
        if needed not in codes:
            raise InputError("sheet.missing_column", path=str(path), column=needed)
    fill = {c for c, _ in FILL}
    out = []
    for n, values in enumerate(rows[3:], start=4):
        record = {c: v for c, v in zip(codes, values, strict=False) if c}
        if any(record.get(c) not in (None, "") for c in fill):  # blank rows are skipped
            out.append((n, record))
    return out
