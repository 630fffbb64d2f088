"""Excel ledgers formatted for printing: merged two-row headers, 亩 with two decimals, a total
(check) row, frozen panes, landscape fit-to-width, repeated header rows.

One generic writer (:func:`write_ledger`) lays out any table given its header groups; the
ledgers are small functions that pick the columns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from weipian.io.reports.cells import put
from weipian.io.reports.files import save_atomically

Group = tuple[str, tuple[str, ...]]  # ("面积（亩）", ("图斑", "耕地")) or ("序号", ())


@dataclass(frozen=True)
class Sheet:
    """One worksheet: title, header groups, rows, the columns in 亩 and an optional total row."""

    name: str
    title: str
    groups: Sequence[Group]
    rows: Sequence[Sequence[Any]]
    area_columns: frozenset[int] = frozenset()  # 0-based columns shown with two decimals
    total: Sequence[Any] | None = None
    subtitle: str | None = None
    marking: str | None = None  # e.g. 涉密 仅限离线报送: printed in the header and footer


def _columns(groups: Sequence[Group]) -> int:
    return sum(max(1, len(subs)) for _, subs in groups)


def _write_sheet(ws: Any, sheet: Sheet) -> None:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    from weipian.io.xlsx import display_width

    ncol = _columns(sheet.groups)
    thin = Side(style="thin", color="000000")
    border = Border(top=thin, bottom=thin, left=thin, right=thin)
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    put(ws, 1, 1, sheet.title).font = Font(size=16, bold=True)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncol)
    ws.cell(1, 1).alignment = centre
    ws.row_dimensions[1].height = 36
    put(ws, 2, 1, sheet.subtitle or "")
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=ncol)
    ws.cell(2, 1).alignment = Alignment(horizontal="right")
    fill = PatternFill("solid", fgColor="DDEBF7")
    col = 1
    for label, subs in sheet.groups:
        if subs:
            put(ws, 3, col, label)
            ws.merge_cells(start_row=3, start_column=col, end_row=3, end_column=col + len(subs) - 1)
            for k, sub in enumerate(subs):
                put(ws, 4, col + k, sub)
            col += len(subs)
        else:
            put(ws, 3, col, label)
            ws.merge_cells(start_row=3, start_column=col, end_row=4, end_column=col)
            col += 1
    for r in (3, 4):
        ws.row_dimensions[r].height = 30
        for c in range(1, ncol + 1):
            cell = ws.cell(r, c)
            cell.font, cell.alignment, cell.border, cell.fill = Font(bold=True), centre, border, fill
    body = [*sheet.rows, *([sheet.total] if sheet.total is not None else [])]
    for i, row in enumerate(body, start=5):
        for j, value in enumerate(row, start=1):
            cell = put(ws, i, j, value)
            cell.border = border
            if j - 1 in sheet.area_columns:
                cell.number_format = "0.00"
        if sheet.total is not None and i == 4 + len(body):
            for j in range(1, ncol + 1):
                ws.cell(i, j).font = Font(bold=True)
    if not sheet.rows:
        r = 5 + (1 if sheet.total is not None else 0)
        put(ws, r, 1, "本期无数据").font = Font(color="808080")
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=ncol)
    labels = [sub for label, subs in sheet.groups for sub in (subs or (label,))]
    for j, label in enumerate(labels, start=1):
        width = max(
            [display_width(label)] + [display_width(row[j - 1]) for row in body[:300] if j - 1 < len(row)]
        )
        ws.column_dimensions[get_column_letter(j)].width = min(max(width + 2, 6), 40)
    ws.freeze_panes = "B5"
    ws.print_title_rows = "3:4"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    if sheet.marking:
        ws.oddHeader.center.text = sheet.marking
        ws.oddFooter.center.text = sheet.marking + " 第 &P 页 共 &N 页"
    else:
        ws.oddFooter.center.text = "第 &P 页 共 &N 页"


def write_ledger(path: Path, sheets: Sequence[Sheet]) -> Path:
    """Write ``sheets`` to one workbook, atomically."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for sheet in sheets:
        _write_sheet(wb.create_sheet(sheet.name[:31]), sheet)
    return save_atomically(path, wb.save)
