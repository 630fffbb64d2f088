"""The filtered patch list as an xlsx workbook: the layout and columns of ``weipian export results``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from urllib.parse import quote

import numpy as np

from weipian.io.exports import write_results


def list_workbook(path: Path, columns: dict[str, list[Any]], today: dt.date) -> Path:
    """Write the filtered list's ``columns`` (``services.export.result_columns``: the same fields
    and headers as ``weipian export results``) to ``path``."""
    n = len(next(iter(columns.values()), []))
    title = f"卫片图斑清单（{today:%Y年%m月%d日}导出，共 {n} 个）"
    return write_results(path, "xlsx", columns, np.zeros(0, dtype=object), title)


def attachment(filename: str) -> str:
    """A Content-Disposition for a Chinese file name: RFC 6266/5987 ``filename*`` (UTF-8) for
    browsers, and an ASCII ``filename`` for old clients."""
    ascii_name = filename.encode("ascii", "ignore").decode().strip("-_ .") or "weipian"
    suffix = filename.rsplit(".", 1)[-1] if "." in filename else ""
    if "." not in ascii_name and suffix:
        ascii_name = f"weipian.{suffix}"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
