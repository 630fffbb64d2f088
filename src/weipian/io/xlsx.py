"""Small helpers shared by the Excel writers: column widths that fit Chinese text, and text
that must never become a formula.

Every Excel writer sets cells through :func:`set_text_safe` (or runs :func:`protect_cells` over
what it appended): text from packages and accounts that starts like a formula (= + - @, tab,
carriage return) is stored as text with Excel's quote prefix, so neither opening the file
nor editing the cell evaluates it (spreadsheet formula injection).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any


def display_width(value: Any) -> int:
    """Width of a cell's text in Excel character units: CJK characters count two.

    >>> display_width("南安市"), display_width("350583202201001"), display_width(None)
    (6, 15, 0)
    """
    if value is None:
        return 0
    text = f"{value:.2f}" if isinstance(value, float) else str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def fit_widths(
    headers: Sequence[Any], rows: Iterable[Sequence[Any]], *, sample: int = 500, cap: int = 40
) -> list[float]:
    """A width per column wide enough for its header and the first ``sample`` rows."""
    widths = [display_width(h) for h in headers]
    for i, row in enumerate(rows):
        if i >= sample:
            break
        for j, v in enumerate(row):
            widths[j] = max(widths[j], display_width(v))
    return [min(w + 2, cap) for w in widths]


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def looks_like_formula(value: Any) -> bool:
    """Text Excel (or another spreadsheet) could take as a formula.

    >>> looks_like_formula("=HYPERLINK('http://x')"), looks_like_formula("-1+1"), looks_like_formula("南安")
    (True, True, False)
    """
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def protect_cell(cell: Any) -> None:
    """Keep a cell holding formula-like text as plain text (shown and kept as typed)."""
    if looks_like_formula(cell.value):
        cell.data_type = "s"
        cell.quotePrefix = True


def set_text_safe(ws: Any, row: int, column: int, value: Any) -> Any:
    """``ws.cell(row, column, value)`` that never writes a formula; returns the cell."""
    cell = ws.cell(row, column, value)
    protect_cell(cell)
    return cell


def protect_cells(ws: Any, min_row: int = 1) -> None:
    """:func:`protect_cell` over every cell from ``min_row`` down."""
    for row in ws.iter_rows(min_row=min_row):
        for cell in row:
            protect_cell(cell)
