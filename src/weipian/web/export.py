"""The filtered patch list as an xlsx workbook (the layout and columns of ``weipian export
results``); the special lists as printable workbooks."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from urllib.parse import quote

import numpy as np

from weipian.domain.sources import SOURCE_LABELS, Source
from weipian.domain.units import M2_PER_MU
from weipian.domain.workflow import STATE_LABELS, State
from weipian.io.exports import write_results
from weipian.io.reports.xlsx_ledgers import Group, Sheet, write_ledger


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


SPECIAL_COLUMNS: dict[str, tuple[Group, ...]] = {
    "housing": (("是否已确认", ()), ("乱占类别", ()), ("占耕地（亩）", ()), ("占永久基本农田（亩）", ())),
    "overdue": (("截止日期", ()), ("逾期天数", ())),
    "returned": (("退回原因", ()), ("补正期限", ()), ("剩余天数", ())),
}


def _mu(m2: Any) -> float | None:
    return None if m2 is None or m2 == "" else round(float(m2) / M2_PER_MU, 2)


def _special_extra(name: str, r: dict[str, Any], reasons: dict[str, str]) -> list[Any]:
    if name == "housing":
        return [
            "是" if r.get("confirmed") else "待判定",
            r.get("housing_class") or "",
            _mu(r.get("farmland_area_m2")),
            _mu(r.get("basic_farmland_area_m2")),
        ]
    if name == "overdue":
        return [r["due_on"], r["days_overdue"]]
    return ["；".join(reasons.get(c, c) for c in r.get("reasons") or []), r.get("due_on"), r.get("days_left")]


def special_list_workbook(
    path: Path, name: str, title: str, rows: list[dict[str, Any]], *, scope_label: str, today: dt.date,
    reasons: dict[str, str],
) -> Path:  # fmt: skip
    """One special list (``queries.lists.scoped_list`` rows) as a printable workbook: what the page
    shows, in the same order, with the filter and the day in the title."""
    extra = SPECIAL_COLUMNS[name]
    base: tuple[Group, ...] = (
        ("序号", ()), ("监测编号", ()), ("来源", ()), ("乡镇（街道）", ()), ("面积（亩）", ()), ("状态", ()),
        ("预判", ()), ("判定", ()),
    )  # fmt: skip
    body = [
        [i, r["JCBH"], SOURCE_LABELS.get(Source(r["source"]), r["source"]), r.get("township") or "（未归属）",
         _mu(r["area_m2"]), STATE_LABELS[State(r["state"])], r.get("suggestion") or "", r.get("determination") or "",
         *_special_extra(name, r, reasons)]
        for i, r in enumerate(rows, start=1)
    ]  # fmt: skip
    area = {4} | ({10, 11} if name == "housing" else set())
    total = ["合计", f"{len(body)} 个", "", "", round(sum(x[4] or 0.0 for x in body), 2), "", "", ""]
    total += [""] * len(extra)
    if name == "housing":
        total[10] = round(sum(x[10] or 0.0 for x in body), 2)
        total[11] = round(sum(x[11] or 0.0 for x in body), 2)
    sheet = Sheet(
        name=title[:31], title=f"{title}（{scope_label}）", groups=[*base, *extra], rows=body,
        area_columns=frozenset(area), total=total, subtitle=f"导出日期：{today:%Y-%m-%d}　面积单位：亩",
    )  # fmt: skip
    return write_ledger(path, [sheet])
