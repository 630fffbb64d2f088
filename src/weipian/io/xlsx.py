"""Small helpers shared by the Excel writers: column widths that fit Chinese text."""

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
