"""Documents: the 月清月结 report, the annual results report, the Excel ledgers and the military
offline packet, all from the statistics service's figures; PDF through LibreOffice when present."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import shapely
from sqlalchemy import select
from sqlalchemy.orm import Session

from weipian.domain.roles import Actor
from weipian.domain.workflow import STATE_LABELS, State
from weipian.errors import InputError, PermissionDenied
from weipian.io.reports import charts
from weipian.io.reports.content import Charts, ReportContent, housing_words, mu
from weipian.io.reports.docx_report import write_annual, write_monthly_docx
from weipian.io.reports.xlsx_ledgers import Sheet, write_ledger
from weipian.messages import message, period_text
from weipian.messages.labels import NO_UNIT
from weipian.rules import RuleSet
from weipian.services.stats import StatsResult, compute_stats
from weipian.stats.periods import parse_month
from weipian.stats.records import PatchRecord
from weipian.stats.tables import (
    by_period,
    case_table,
    housing_table,
    illegal_items,
    lead_table,
    referral_table,
)
from weipian.storage.tables import layer_features, layers

LEDGERS = ("illegal", "rectification", "housing")  # their names: document.ledger.<kind>


def _suffix(path: Path, allowed: tuple[str, ...]) -> str:
    suffix = path.suffix.lower()
    if suffix not in allowed:
        raise InputError("document.format", suffix=path.suffix or "（无扩展名）")
    return suffix


def _content(result: StatsResult, rules: RuleSet, *, kind: str, title: str, with_charts: bool,
             session: Session | None) -> ReportContent:  # fmt: skip
    units = result.summary.units
    year = result.period.year or result.on.year
    due = None
    if kind == "annual":
        month_no, day_no = rules.threshold("annual_report_due", result.rules_day).value  # (3, 15)
        due = dt.date(year + 1, int(month_no), int(day_no))
    classes = rules.labels("farmland_housing_class", result.rules_day)
    content = ReportContent(
        kind=kind, title=title, county=result.county_name, period_label=period_text(result.period.label()), on=result.on,
        county_figures=result.summary.county, units=units,
        line_pct=round(100 * result.policy.line, 2), warning_pct=round(100 * result.policy.warning, 2),
        lead=lead_table([(u.name, u.figures) for u in units]), housing=housing_table(result.records, classes),
        cases=case_table(result.records, year), referrals=referral_table(result.referrals, result.on),
        by_period=by_period(result.records, "quarter", on=result.on, policy=result.policy),
        illegal_items=illegal_items(result.records, result.unit_names, result.county_name), due=due,
    )  # fmt: skip
    if with_charts and session is not None:
        return _with_charts(content, result, session)
    return content


def _with_charts(c: ReportContent, result: StatsResult, session: Session) -> ReportContent:
    from dataclasses import replace

    units = [u for u in c.units if u.code is not None]
    names = [u.name for u in units]
    shapes = []
    ratio_of = {u.code: u.figures.illegal_farmland_ratio_pct for u in units}
    rows = session.execute(
        select(layer_features.c.code, layer_features.c.wkb)
        .join(layers, layers.c.id == layer_features.c.layer_id)
        .where(layers.c.kind == "townships", layers.c.is_current.is_(True))
    )
    for code, wkb in rows:
        shapes.append(
            (result.unit_names.get(code or "", code or ""), shapely.from_wkb(wkb), ratio_of.get(code))
        )
    points = [(r.lon, r.lat, _point_class(r)) for r in _located(result.records, session)]
    images = Charts(
        ratio=charts.ratio_chart(names, [u.figures.illegal_farmland_ratio_pct for u in units], c.line_pct, c.warning_pct),
        rectification=charts.rectification_chart(
            names, [mu(u.figures.rectified_farmland_m2) for u in units],
            [mu(u.figures.unrectified_farmland_m2) for u in units],
        ),
        housing=charts.housing_chart(
            ["·".join(housing_words(h)) for h in c.housing if h.count],
            [h.count for h in c.housing if h.count],
        ),
        unit_map=charts.unit_map(shapes, [], c.line_pct, c.warning_pct, message("document.chart.unit_ratio")),
        patch_map=charts.unit_map(
            [(n, g, None) for n, g, _ in shapes], [(x, y, k) for x, y, k in points], c.line_pct, c.warning_pct,
            message("document.chart.patches"),
        ),
    )  # fmt: skip
    return replace(c, charts=images)


class _Located:
    def __init__(self, lon: float, lat: float, record: PatchRecord) -> None:
        self.lon, self.lat, self.record = lon, lat, record


def _located(records: list[PatchRecord], session: Session) -> list[_Located]:
    from weipian.storage.tables import patches

    keep = {r.patch_id: r for r in records if not r.restricted}
    out = []
    for pid, lon, lat in session.execute(select(patches.c.id, patches.c.lon, patches.c.lat)):
        if pid in keep:
            out.append(_Located(lon, lat, keep[pid]))
    return out


def _point_class(p: _Located) -> str:
    r = p.record
    return "违法" if r.illegal else ("已判定" if r.filed else "未判定")


def monthly_report(
    session: Session,
    rules: RuleSet,
    path: Path,
    *,
    month: str,
    on: dt.date,
    farmland_source: str = "filed_or_desk",
) -> Path:
    """The 月清月结 report for ``month`` (YYYY-MM) as .docx or .xlsx."""
    suffix = _suffix(path, (".docx", ".xlsx"))
    if parse_month(month) is None:
        raise InputError("stats.month_invalid", value=month)
    result = compute_stats(session, rules, on=on, month=month, farmland_source=farmland_source)
    title = message(
        "document.title.monthly", county=result.county_name, period=period_text(result.period.label())
    )
    c = _content(result, rules, kind="monthly", title=title, with_charts=False, session=None)
    if suffix == ".docx":
        return write_monthly_docx(path, c)
    f = c.county_figures
    rows: list[list[Any]] = [[u.name, u.figures.closure_issued, u.figures.closure_done, u.figures.closure_rate_pct,
             u.figures.on_time_rate_pct, u.figures.overdue, u.figures.illegal, mu(u.figures.illegal_area_m2),
             u.figures.housing] for u in c.units]  # fmt: skip
    total: list[Any] = ["合计", f.closure_issued, f.closure_done, f.closure_rate_pct, f.on_time_rate_pct, f.overdue, f.illegal,
             mu(f.illegal_area_m2), f.housing]  # fmt: skip
    sheet = Sheet(
        name="月清月结", title=title, subtitle=message("document.subtitle.on", on=on),
        groups=[("单位", ()), ("月清", ("本月下发", "当月完成", "月清率(%)")), ("按期率(%)", ()), ("逾期", ()),
                ("违法", ("宗数", "面积(亩)")), ("乱占", ())],
        rows=rows, total=total, area_columns=frozenset({3, 4, 7}),
    )  # fmt: skip
    return write_ledger(path, [sheet])


def annual_report(
    session: Session,
    rules: RuleSet,
    path: Path,
    *,
    year: int,
    on: dt.date,
    farmland_source: str = "filed_or_desk",
) -> Path:
    """The annual results report for ``year`` (.docx), with charts and maps."""
    _suffix(path, (".docx",))
    result = compute_stats(session, rules, on=on, year=year, farmland_source=farmland_source)
    title = message("document.title.annual", county=result.county_name, year=year)
    return write_annual(
        path, _content(result, rules, kind="annual", title=title, with_charts=True, session=session)
    )


def ledger(
    session: Session, rules: RuleSet, path: Path, *, kind: str, on: dt.date, year: int | None = None,
    month: str | None = None, unit: str | None = None,
) -> Path:  # fmt: skip
    """One of LEDGERS as a printable workbook (restricted patches never listed)."""
    if kind not in LEDGERS:
        raise InputError("document.unknown_kind", kind=kind, kinds="、".join(LEDGERS))
    name = message(f"document.ledger.{kind}")
    _suffix(path, (".xlsx",))
    result = compute_stats(session, rules, on=on, year=year, month=month, unit=unit)
    title = message(
        "document.title.ledger",
        county=result.county_name,
        period=period_text(result.period.label()),
        ledger=name,
    )
    sub = message("document.subtitle.on_mu", on=on)
    if kind == "illegal":
        items = illegal_items(result.records, result.unit_names, result.county_name)
        rows: list[list[Any]] = [[i.seq, i.county, i.unit_name, i.batch, i.code, i.project_name, i.project_owner, i.use, mu(i.area_m2),
                 mu(i.farmland_m2), mu(i.basic_farmland_m2), "是" if i.rectified else "否", i.method,
                 "是" if i.major_case else "否", "；".join(message(p["code"], **p["params"]) for p in i.remark)]
                for i in items]  # fmt: skip
        total: list[Any] = ["合计", "", "", "", f"{len(items)} 宗", "", "", "", round(sum(r[8] for r in rows), 2),
                 round(sum(r[9] for r in rows), 2), round(sum(r[10] for r in rows), 2),
                 f"{sum(1 for i in items if i.rectified)} 宗", "", "", ""]  # fmt: skip
        groups = [("序号", ()), ("县", ()), ("乡镇（街道）", ()), ("监测批次", ()), ("线索编号", ()), ("项目名称", ()),
                  ("项目主体", ()), ("用途", ()), ("面积（亩）", ("图斑", "耕地", "永久基本农田")), ("是否整改", ()),
                  ("整改方式", ()), ("重大典型问题", ()), ("备注", ())]  # fmt: skip
        sheet = Sheet(name, title, groups, rows, frozenset({8, 9, 10}), total, sub)
    elif kind == "rectification":
        lead = lead_table([(u.name, u.figures) for u in result.summary.units])

        def trio(n: int, a: float, f: float) -> list[Any]:
            return [n, mu(a), mu(f)]

        rows = [[r.name, *trio(r.total, r.total_area_m2, r.total_farmland_m2),
                 *trio(r.rectified, r.rectified_area_m2, r.rectified_farmland_m2),
                 *trio(r.demolished + r.combined, r.demolished_area_m2, r.demolished_farmland_m2),
                 *trio(r.regularised + r.combined, r.regularised_area_m2, r.regularised_farmland_m2),
                 *trio(r.unrectified, r.unrectified_area_m2, r.unrectified_farmland_m2),
                 "是" if r.check_total else "否", "是" if r.check_rectified else "否"] for r in lead]  # fmt: skip
        c = result.summary.county
        total = ["合计", *trio(c.illegal, c.illegal_area_m2, c.illegal_farmland_all_m2),
                 *trio(c.rectified, c.rectified_area_m2, c.rectified_farmland_m2),
                 *trio(c.demolished + c.combined, c.demolished_area_m2, c.demolished_farmland_m2),
                 *trio(c.regularised + c.combined, c.regularised_area_m2, c.regularised_farmland_m2),
                 *trio(c.unrectified, c.unrectified_area_m2, c.unrectified_farmland_m2),
                 "是" if lead_table([("合计", c)])[0].check_total else "否",
                 "是" if lead_table([("合计", c)])[0].check_rectified else "否"]  # fmt: skip
        three = ("宗数", "面积", "耕地")
        groups = [("单位", ()), ("违法图斑合计", three), ("已整改", three), ("其中：拆除", three), ("其中：补办", three),
                  ("未整改", three), ("校验", ("总=已+未", "已=拆+补"))]  # fmt: skip
        area = frozenset({2, 3, 5, 6, 8, 9, 11, 12, 14, 15})
        sub += message("document.subtitle.combined")
        sheet = Sheet(name, title, groups, rows, area, total, sub)
    else:
        chosen = [r for r in result.records if not r.restricted and (r.housing or r.housing_candidate)]
        from weipian.stats.tables import housing_opinion

        rows = [[i, result.unit_names.get(r.unit or "", NO_UNIT), r.batch, r.code,
                 (r.housing_class or message("stats.housing.unclassified")) if r.filed and r.housing
                 else message("stats.housing.flagged"), housing_opinion(r) or message("stats.housing.undetermined"),
                 mu(r.area_m2), mu(r.farmland), mu(r.basic_farmland_m2 or r.desk_basic_farmland_m2 or 0.0),
                 STATE_LABELS[State(r.state)]] for i, r in enumerate(sorted(chosen, key=lambda r: (r.unit or "~", r.code)), 1)]  # fmt: skip
        total = ["合计", "", "", f"{len(rows)} 宗", "", "", round(sum(x[6] for x in rows), 2),
                 round(sum(x[7] for x in rows), 2), round(sum(x[8] for x in rows), 2), ""]  # fmt: skip
        groups = [("序号", ()), ("乡镇（街道）", ()), ("监测批次", ()), ("监测编号", ()), ("类别", ()), ("认定意见", ()),
                  ("面积（亩）", ("图斑", "占耕地", "占永久基本农田")), ("状态", ())]  # fmt: skip
        sheet = Sheet(name, title, groups, rows, frozenset({6, 7, 8}), total, sub)
    return write_ledger(path, [sheet])


def military_packet(session: Session, rules: RuleSet, path: Path, *, actor: Actor, on: dt.date) -> Path:
    """The offline packet of military-restricted patches (the only file that lists them); 市局 only."""
    if not actor.role.is_bureau:
        raise PermissionDenied("document.forbidden", role=actor.role.label)
    _suffix(path, (".xlsx",))
    result = compute_stats(session, rules, on=on)
    chosen = sorted((r for r in result.records if r.restricted), key=lambda r: (r.batch, r.code))
    from weipian.storage.tables import patches

    where = {pid: (lon, lat) for pid, lon, lat in session.execute(
        select(patches.c.id, patches.c.lon, patches.c.lat).where(patches.c.id.in_([r.patch_id for r in chosen]))
    )}  # fmt: skip
    rows: list[list[Any]] = [[i, r.batch, r.code, result.unit_names.get(r.unit or "", NO_UNIT), mu(r.area_m2),
             round(where[r.patch_id][0], 7), round(where[r.patch_id][1], 7), r.verdict or "未判定",
             r.opinion or "", STATE_LABELS[State(r.state)]] for i, r in enumerate(chosen, 1)]  # fmt: skip
    total: list[Any] = [
        "合计",
        "",
        f"{len(rows)} 个",
        "",
        round(sum(x[4] for x in rows), 2),
        "",
        "",
        "",
        "",
        "",
    ]
    groups = [("序号", ()), ("监测批次", ()), ("监测编号", ()), ("乡镇（街道）", ()), ("面积（亩）", ()),
              ("中心点", ("经度", "纬度")), ("判定", ()), ("备注", ()), ("状态", ())]  # fmt: skip
    secret = message("document.secret")
    title = message("document.title.military", county=result.county_name)
    subtitle = message("document.subtitle.military", secret=secret, actor=actor.name, on=on)
    sheet = Sheet("涉密-仅限离线报送", title, groups, rows, frozenset({4}), total, subtitle, secret)
    return write_ledger(path, [sheet])


def soffice() -> str | None:
    """LibreOffice's command, when installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def to_pdf(path: Path) -> Path | None:
    """Convert a .docx or .xlsx to PDF beside it with LibreOffice; None when it is not installed."""
    cmd = soffice()
    if cmd is None:
        return None
    with tempfile.TemporaryDirectory() as home:
        done = subprocess.run(
            [cmd, "--headless", "--norestore", "--convert-to", "pdf", "--outdir", str(path.parent), str(path)],
            env={"HOME": home, "PATH": "/usr/bin:/bin"}, capture_output=True, timeout=180, check=False,
        )  # fmt: skip
    pdf = path.with_suffix(".pdf")
    if done.returncode != 0 or not pdf.exists():
        raise InputError(
            "document.pdf_failed", path=path, detail=done.stderr.decode("utf-8", "replace")[-300:]
        )
    return pdf
