"""``weipian stats`` (county and unit figures, ranking, 警示约谈) and ``weipian exclusions``."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from weipian.cli.context import command_store, settings
from weipian.cli.output import emit_json, guarded, out
from weipian.domain import clock
from weipian.domain.townships import COUNTY_CODE
from weipian.domain.units import M2_PER_MU
from weipian.messages import message, period_text
from weipian.rules import load_rules
from weipian.services.exclusions import clear_exclusion, set_exclusion
from weipian.services.stats import StatsResult, compute_stats, figures_json
from weipian.services.users import account_by_name
from weipian.stats.summary import UnitFigures
from weipian.storage.stats_records import exclusions
from weipian.storage.workflow import find_patch

JsonOpt = Annotated[bool, typer.Option("--json", help="以一个 JSON 对象输出结果")]
AsOpt = Annotated[str, typer.Option("--as", help="以哪个账号的身份操作（登录名，须为市局账号）")]


def unit_json(u: UnitFigures) -> dict[str, Any]:
    ev = u.evaluation
    reasons = [
        {"code": r.code, "message": message(r.code, **dict(r.params)), **dict(r.params)}
        for r in (ev.reasons if ev else ())
    ]
    return {
        "XZQDM": u.code,
        "XZQMC": u.name,
        "rank": ev.rank if ev else None,
        "interview": bool(ev and ev.interview),
        "interview_reasons": reasons,
        **figures_json(u.figures),
        "rank_score": ev.score if ev else None,
        "rank_places": dict(ev.places) if ev else None,
    }


def stats_json(result: StatsResult) -> dict[str, Any]:
    p = result.period
    return {
        "county": {"XZQDM": COUNTY_CODE, "XZQMC": result.county_name, **figures_json(result.summary.county)},
        "units": [unit_json(u) for u in result.summary.units],
        "filter": {
            "year": p.year,
            "month": p.month,
            "unit": p.unit,
            "quarter": p.quarter,
            "batch": p.batch,
            "source": p.source,
            "label": period_text(p.label()),
        },
        "on": result.on,
        "rules_day": result.rules_day,
        "ratio": {
            "line_pct": round(100 * result.policy.line, 2),
            "warning_pct": round(100 * result.policy.warning, 2),
            "denominator_verdicts": sorted(result.policy.denominator_verdicts),
            "farmland_source": result.policy.farmland_source,
        },
    }


def stats_command(
    year: Annotated[int | None, typer.Option("--year", help="监测年度（NF），如 2022")] = None,
    month: Annotated[str | None, typer.Option("--month", help="下发月份 YYYY-MM，如 2022-11")] = None,
    unit: Annotated[
        str | None,
        typer.Option("--unit", help="只看该乡镇（街道，9 位代码）或单位（如分局，合计其所辖乡镇）"),
    ] = None,
    quarter: Annotated[
        int | None, typer.Option("--quarter", help="季度 1–4（按下发时间，须同时给 --year）")
    ] = None,
    batch: Annotated[str | None, typer.Option("--batch", help="只看该批次（批次名称）")] = None,
    source: Annotated[
        str | None, typer.Option("--source", help="只看该来源：ministry 部卫片、province 省卫片")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """统计：全市及各乡镇图斑、违法、违法占用耕地比例、整改、逾期、乱占耕地建房，乡镇排名与警示约谈名单。"""

    def run() -> StatsResult:
        s = settings()
        with command_store() as store, store.reading() as session:
            return compute_stats(
                session, load_rules(), on=clock.today(), year=year, month=month, unit=unit, quarter=quarter,
                batch=batch, source=source, farmland_source=s.ratio_farmland, with_records=False,
            )  # fmt: skip

    result = guarded(as_json, run)
    if as_json:
        emit_json(stats_json(result))
        return
    _print(result)


def _num(v: float | None, digits: int = 2) -> str:
    return "—" if v is None else f"{v:.{digits}f}"


def _print(result: StatsResult) -> None:
    mu = M2_PER_MU
    t = Table(
        title=f"{result.county_name}卫片执法统计（{period_text(result.period.label())}，截至 {result.on:%Y-%m-%d}）"
    )
    heads = (
        "排名",
        "单位",
        "图斑",
        "已判定",
        "违法",
        "违法面积(亩)",
        "违法占耕(亩)",
        "比例%",
        "已整改",
        "整改率%",
        "逾期",
        "乱占",
        "约谈",
    )
    for h in heads:
        t.add_column(h)
    for u in result.summary.units:
        f, ev = u.figures, u.evaluation
        t.add_row(
            str(ev.rank) if ev else "", u.name, str(f.patches), str(f.determined), str(f.illegal),
            f"{f.illegal_area_m2 / mu:.2f}", f"{f.illegal_farmland_m2 / mu:.2f}", _num(f.illegal_farmland_ratio_pct),
            str(f.rectified), _num(f.rectification_rate_count_pct), str(f.overdue), str(f.housing),
            "是" if ev and ev.interview else "",
        )  # fmt: skip
    c = result.summary.county
    t.add_row("", "合计", str(c.patches), str(c.determined), str(c.illegal), f"{c.illegal_area_m2 / mu:.2f}",
              f"{c.illegal_farmland_m2 / mu:.2f}", _num(c.illegal_farmland_ratio_pct), str(c.rectified),
              _num(c.rectification_rate_count_pct), str(c.overdue), str(c.housing), "")  # fmt: skip
    out.print(t)
    for u in result.summary.units:
        if u.evaluation and u.evaluation.interview:
            why = "；".join(message(r.code, **dict(r.params)) for r in u.evaluation.reasons)
            out.print(f"警示约谈：{u.name}（{why}）", highlight=False)


exclusions_app = typer.Typer(
    help="违法占用耕地比例的排除情形（如省以上重点工程）：设置、取消、查看。", no_args_is_help=True
)


@exclusions_app.command("set")
def exclusion_set_cmd(
    code: Annotated[str, typer.Argument(help="监测编号（JCBH）")],
    category: Annotated[str, typer.Option("--category", help="排除情形（规则字典 ratio_exclusion）")],
    actor: AsOpt,
    note: Annotated[str, typer.Option("--note", help="依据说明，如批文号")] = "",
    as_json: JsonOpt = False,
) -> None:
    """把图斑标为比例排除情形（不计入违法占用耕地比例的分子和分母），限市局账号。"""

    def run() -> str:
        with command_store() as store, store.writing() as session:
            account = account_by_name(session, actor)
            patch = find_patch(session, code)
            return set_exclusion(
                session,
                patch,
                category=category,
                note=note,
                actor=account.actor,
                rules=load_rules(),
                on=clock.today(),
            )

    label = guarded(as_json, run)
    if as_json:
        emit_json({"JCBH": code, "exclusion": label})
    else:
        out.print(f"图斑 {code} 已标为排除情形：{label}。", highlight=False)


@exclusions_app.command("clear")
def exclusion_clear_cmd(
    code: Annotated[str, typer.Argument(help="监测编号（JCBH）")],
    reason: Annotated[str, typer.Option("--reason", help="取消的原因")],
    actor: AsOpt,
    as_json: JsonOpt = False,
) -> None:
    """取消图斑的比例排除情形（须说明原因），限市局账号。"""

    def run() -> None:
        with command_store() as store, store.writing() as session:
            account = account_by_name(session, actor)
            clear_exclusion(session, find_patch(session, code), reason=reason, actor=account.actor)

    guarded(as_json, run)
    if as_json:
        emit_json({"JCBH": code, "exclusion": None})
    else:
        out.print(f"图斑 {code} 的排除情形已取消。", highlight=False)


@exclusions_app.command("list")
def exclusion_list_cmd(as_json: JsonOpt = False) -> None:
    """列出设有排除情形的图斑。"""

    def run() -> list[dict[str, Any]]:
        from sqlalchemy import select

        from weipian.storage.tables import patches

        with command_store() as store, store.reading() as session:
            found = exclusions(session)
            rows = session.execute(
                select(patches.c.id, patches.c.patch_code).where(patches.c.id.in_(list(found)))
            )
            return [{"JCBH": r.patch_code, "exclusion": found[r.id]} for r in rows]

    rows = guarded(as_json, run)
    if as_json:
        emit_json({"exclusions": rows})
        return
    for r in rows:
        out.print(f"{r['JCBH']}：{r['exclusion']}", highlight=False)
    if not rows:
        out.print("没有设置排除情形的图斑。")
