"""The filtered patch list as an xlsx workbook (the layout and columns of ``weipian export
results``); the special lists as printable workbooks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

import numpy as np

from weipian.domain.clock import BEIJING
from weipian.domain.sources import SOURCE_LABELS, Source
from weipian.domain.townships import township_by_code
from weipian.domain.units import M2_PER_MU
from weipian.domain.workflow import STATE_LABELS, State
from weipian.io.exports import write_results
from weipian.io.reports.xlsx_ledgers import Group, Sheet, write_ledger
from weipian.messages.labels import NO_UNIT
from weipian.services.access import Scope
from weipian.services.lists import HousingRow, ListRow, OverdueRow, ReturnedRow
from weipian.services.queries.review import ReviewItem


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


def _special_extra(r: ListRow, reasons: dict[str, str]) -> list[Any]:
    """The columns a list adds (SPECIAL_COLUMNS), from the row of that list."""
    if isinstance(r, HousingRow):
        return [
            "是" if r.confirmed else "待判定",
            r.housing_class or "",
            _mu(r.farmland_area_m2),
            _mu(r.basic_farmland_area_m2),
        ]
    if isinstance(r, OverdueRow):
        return [r.due_on, r.days_overdue]
    if isinstance(r, ReturnedRow):
        return ["；".join(reasons.get(c, c) for c in r.reasons), r.due_on, r.days_left]
    return []


def special_list_workbook(
    path: Path, name: str, title: str, rows: Sequence[ListRow], *, scope_label: str, today: dt.date,
    reasons: dict[str, str],
) -> Path:  # fmt: skip
    """One special list (``services.lists.special_list`` rows, as ``queries.lists.scoped_list``
    keeps them) as a printable workbook: what the page shows, in the same order, with the filter
    and the day in the title."""
    extra = SPECIAL_COLUMNS[name]
    base: tuple[Group, ...] = (
        ("序号", ()), ("监测编号", ()), ("来源", ()), ("乡镇（街道）", ()), ("面积（亩）", ()), ("状态", ()),
        ("预判", ()), ("判定", ()), ("重点关注", ()),
    )  # fmt: skip
    body = [
        [i, r.patch_code, SOURCE_LABELS.get(Source(r.source), r.source), r.township or NO_UNIT,
         _mu(r.area_m2), STATE_LABELS[State(r.state)], r.suggestion or "", r.determination or "",
         "、".join(r.priority), *_special_extra(r, reasons)]
        for i, r in enumerate(rows, start=1)
    ]  # fmt: skip
    area = {4} | ({11, 12} if name == "housing" else set())
    total = ["合计", f"{len(body)} 个", "", "", round(sum(x[4] or 0.0 for x in body), 2), "", "", "", ""]
    total += [""] * len(extra)
    if name == "housing":
        total[11] = round(sum(x[11] or 0.0 for x in body), 2)
        total[12] = round(sum(x[12] or 0.0 for x in body), 2)
    sheet = Sheet(
        name=title[:31], title=f"{title}（{scope_label}）", groups=[*base, *extra], rows=body,
        area_columns=frozenset(area), total=total, subtitle=f"导出日期：{today:%Y-%m-%d}　面积单位：亩",
    )  # fmt: skip
    return write_ledger(path, [sheet])


def scope_label(scope: Scope) -> str:
    """The rows the account's scope keeps, in words: a township, a department's referrals, or 全市."""
    if scope.townships is not None:
        return scope.unit_name or scope.unit or "本单位"
    if scope.department:
        return f"移送{scope.department}"
    return "全市"


def township_name(code: str | None) -> str:
    if not code:
        return NO_UNIT
    town = township_by_code(code)
    return town.name if town else code


def export_name(title: str, *parts: str | None, today: dt.date) -> str:
    """A download's file name: the list, then what its filter kept, then the day, e.g.
    ``查处整改台账_洪濑镇_整改中_20221121.xlsx``. Path separators never reach the name."""
    words = [title, *(p for p in parts if p), f"{today:%Y%m%d}"]
    return "_".join(w.replace("/", "／").replace("\\", "＼") for w in words) + ".xlsx"


def table_workbook(
    path: Path, title: str, groups: Sequence[Group], rows: Sequence[Sequence[Any]], *, filter_label: str,
    today: dt.date, area_columns: frozenset[int] = frozenset(), totals: dict[int, float] | None = None,
) -> Path:  # fmt: skip
    """A list page as a printable workbook: a 序号 column before ``groups``, the filter in the
    title, a total row (the count, and ``totals`` by 0-based column counting 序号). Text is written
    as text, never a formula (``io.reports.cells.put``)."""
    body = [[i, *row] for i, row in enumerate(rows, start=1)]
    width = sum(max(1, len(subs)) for _, subs in groups)
    total: list[Any] = ["合计", f"{len(body)} 条", *([""] * (width - 1))]
    for col, value in (totals or {}).items():
        total[col] = round(value, 2)
    sheet = Sheet(
        name=title[:31], title=f"{title}（{filter_label}）", groups=[("序号", ()), *groups], rows=body,
        area_columns=area_columns, total=total, subtitle=f"导出日期：{today:%Y-%m-%d}",
    )  # fmt: skip
    return write_ledger(path, [sheet])


def _mu2(m2: float | None) -> float | None:
    return None if m2 is None else round(m2 / M2_PER_MU, 2)


def beijing_text(at: dt.datetime | str | None) -> str:
    """A stored time (UTC; SQLite hands it back naive) as Beijing time, to the minute."""
    if at is None or at == "":
        return ""
    if isinstance(at, str):
        at = dt.datetime.fromisoformat(at)
    aware = at if at.tzinfo else at.replace(tzinfo=dt.UTC)
    return aware.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")


LEDGER_GROUPS: tuple[Group, ...] = (
    ("监测编号", ()), ("乡镇（街道）", ()), ("责任单位", ()), ("整改责任人", ()), ("整改措施", ()),
    ("整改时限", ()), ("面积（亩）", ("违法", "违法占耕地", "已拆除", "已补办", "未整改")), ("整改方式", ()),
    ("台账状态", ()), ("重大典型问题", ()),
)  # fmt: skip


def ledger_table(records: Sequence[Any], methods: dict[Any, str]) -> list[list[Any]]:
    """整改台账 rows (``services.ledger_records.LedgerRecord``) as the page lists them, in 亩."""
    return [
        [r.patch_code, township_name(r.township_code), township_name(r.responsible_unit), r.responsible_person,
         "、".join(r.measures), r.deadline.isoformat(), _mu2(r.illegal_area_m2), _mu2(r.illegal_farmland_m2),
         _mu2(r.areas.demolished), _mu2(r.areas.regularised), _mu2(r.remaining_m2), methods.get(r.method, ""),
         r.state.label, "是" if r.major_case else ""]
        for r in records
    ]  # fmt: skip


REFERRAL_GROUPS: tuple[Group, ...] = (
    ("编号", ()), ("监测编号", ()), ("乡镇（街道）", ()), ("方式", ()), ("接收部门", ()), ("事项", ()),
    ("移送", ("经办人", "时间")), ("反馈期限", ()), ("状态", ()), ("反馈", ("内容", "反馈人", "时间")),
)  # fmt: skip


def referral_table(items: Sequence[Any], today: dt.date) -> list[list[Any]]:
    """移送抄告 rows (``services.referrals.Referral``) as the page lists them."""
    return [
        [r.id, r.patch_code, township_name(r.township_code), r.kind.label, r.department_full_name, r.matter,
         r.referred_by, beijing_text(r.referred_at), r.due_on.isoformat(), r.status(today).label,
         r.feedback or "", r.feedback_by or "", beijing_text(r.feedback_at)]
        for r in items
    ]  # fmt: skip


REVIEW_GROUPS: tuple[Group, ...] = (
    ("监测编号", ()), ("乡镇（街道）", ()), ("批次", ()), ("面积（亩）", ()), ("预判", ()), ("判定", ()),
    ("违法类型", ()), ("提交时间", ()), ("重点关注", ()), ("照片核验未通过", ()),
)  # fmt: skip


def review_table(queue: Sequence[ReviewItem]) -> list[list[Any]]:
    """审核队列 rows (``services.queries.review.review_queue``) in the page's order."""
    return [
        [r.patch_code, r.township_name or NO_UNIT, r.batch_name or "", _mu2(r.area_m2), r.suggestion or "",
         r.determination or "", r.violation_type or "", beijing_text(r.submitted_at), "、".join(r.priority_labels),
         r.failed_photo_checks]
        for r in queue
    ]  # fmt: skip
