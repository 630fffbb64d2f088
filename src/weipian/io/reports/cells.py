"""Cell values for the workbooks weipian writes: text that looks like a formula stays text.

openpyxl stores a string starting with ``=`` as a formula; a project name such as
``=HYPERLINK(...)`` or ``+1-2`` typed by a township must reach Excel as the text it is.

>>> from openpyxl import Workbook
>>> ws = Workbook().active
>>> c = put(ws, 1, 1, "=HYPERLINK(\\"http://x\\",\\"点我\\")")
>>> c.data_type, c.value.startswith("=")
('s', True)
>>> put(ws, 1, 2, 12.5).data_type
'n'
"""

from __future__ import annotations

import math
from typing import Any

from openpyxl.cell.cell import Cell
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def put(ws: Worksheet, row: int, col: int, value: Any) -> Cell:
    """Write ``value`` into a cell; strings are always stored as strings, never as formulas."""
    if isinstance(value, float) and not math.isfinite(value):
        value = None
    cell = ws.cell(row, col)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"  # openpyxl would take "=…" for a formula
    return cell
