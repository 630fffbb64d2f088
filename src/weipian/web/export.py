"""The filtered patch list as an xlsx workbook, in the export's layout and field names."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from urllib.parse import quote

import numpy as np

from weipian.domain.sources import SOURCE_LABELS, Source
from weipian.domain.workflow import STATE_LABELS, State
from weipian.io.exports import write_results

COLUMNS: dict[str, Any] = {
    "JCBH": lambda r: r["patch_code"],
    "XZQDM": lambda r: r["admin_code"],
    "XZDM": lambda r: r["township_code"],
    "XZMC": lambda r: r["township_name"],
    "LY": lambda r: SOURCE_LABELS.get(Source(r["source"])),
    "PC": lambda r: r["batch_name"],
    "TBLX": lambda r: r["change_type"],
    "QSX": lambda r: r["before_date"],
    "HSX": lambda r: r["after_date"],
    "JCMJ": lambda r: round(r["area_m2"], 2),
    "GDMJ": lambda r: None if r["farmland_m2"] is None else round(r["farmland_m2"], 2),
    "YJJBNTMJ": lambda r: None if r["basic_farmland_m2"] is None else round(r["basic_farmland_m2"], 2),
    "WDGDMJ": lambda r: None if r["stable_farmland_m2"] is None else round(r["stable_farmland_m2"], 2),
    "PZWH": lambda r: r["approval_no"],
    "YPJG": lambda r: r["suggestion"],
    "PDJG": lambda r: r["determination"],
    "WFLX": lambda r: r["violation_type"],
    "ZT": lambda r: STATE_LABELS[State(r["state"])],
}


def list_workbook(path: Path, rows: list[dict[str, Any]], today: dt.date) -> Path:
    """Write ``rows`` (from ``queries.patches.export_rows``) to ``path``."""
    columns = {name: [get(r) for r in rows] for name, get in COLUMNS.items()}
    title = f"卫片图斑清单（{today:%Y年%m月%d日}导出，共 {len(rows)} 个）"
    return write_results(path, "xlsx", columns, np.zeros(0, dtype=object), title)


def attachment(filename: str) -> str:
    """A Content-Disposition for a Chinese file name: RFC 6266/5987 ``filename*`` (UTF-8) for
    browsers, and an ASCII ``filename`` for old clients."""
    ascii_name = filename.encode("ascii", "ignore").decode().strip("-_ .") or "weipian"
    suffix = filename.rsplit(".", 1)[-1] if "." in filename else ""
    if "." not in ascii_name and suffix:
        ascii_name = f"weipian.{suffix}"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
