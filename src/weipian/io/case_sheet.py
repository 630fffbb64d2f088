"""The case register's workbooks: 立案查处台账 and 矿产执法台账 (one row per case or patch).

Row 1 is the title, row 2 the headers, data from row 3. Every cell goes through
:func:`weipian.io.xlsx.set_text_safe`: a case number or name typed as ``=HYPERLINK(…)`` stays
text and is never evaluated. The file is written under a temporary name and renamed, so a
failed export leaves no half-written workbook.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from weipian.io.xlsx import fit_widths, set_text_safe


def write_case_sheet(
    path: Path, *, sheet: str, title: str, headers: Sequence[str], rows: Sequence[Sequence[Any]],
    money: Sequence[int] = (),
) -> Path:  # fmt: skip
    """Write ``rows`` under ``headers``; columns in ``money`` (0-based) get two decimals."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ncol = len(headers)
    set_text_safe(ws, 1, 1, title).font = Font(size=14, bold=True)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncol)
    ws.row_dimensions[1].height = 28
    thin = Side(style="thin", color="999999")
    for j, label in enumerate(headers, start=1):
        c = set_text_safe(ws, 2, j, label)
        c.font = Font(bold=True)
        c.fill = PatternFill("solid", fgColor="DDEBF7")
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        c.border = Border(top=thin, bottom=thin, left=thin, right=thin)
    ws.row_dimensions[2].height = 32
    for i, row in enumerate(rows, start=3):
        for j, value in enumerate(row, start=1):
            cell = set_text_safe(ws, i, j, value)
            if j - 1 in money and isinstance(value, int | float):
                cell.number_format = "0.00"
    for j, width in enumerate(fit_widths([h[: max(len(h) // 2, 4)] for h in headers], rows), start=1):
        ws.column_dimensions[get_column_letter(j)].width = max(width, 8)
    ws.freeze_panes = "C3"
    ws.auto_filter.ref = f"A2:{get_column_letter(ncol)}{len(rows) + 2}"
    ws.page_setup.orientation = "landscape"
    ws.print_title_rows = "2:2"
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".weipian-", suffix=".xlsx", dir=path.parent)
    os.close(fd)
    try:
        wb.save(tmp)
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return path
