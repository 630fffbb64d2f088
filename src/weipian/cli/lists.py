"""``weipian lists``: the special lists and 月清 figures."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from rich.table import Table

from weipian.cli.actor import AsOpt, actor_as
from weipian.cli.context import open_store, settings
from weipian.cli.output import emit_json, guarded, out
from weipian.domain import clock
from weipian.domain.workflow import STATE_LABELS, State
from weipian.rules import load_rules
from weipian.services.lists import ListRow, closure, special_list
from weipian.services.queries.lists import TITLES
from weipian.services.sheets import SheetImport, export_template, import_sheet

JsonOpt = Annotated[bool, typer.Option("--json", help="以一个 JSON 对象输出结果")]

lists_app = typer.Typer(help="专项清单与月清统计。", no_args_is_help=True)
sheets_app = typer.Typer(help="离线判定填报表：导出模板、导入回填。", no_args_is_help=True)


@lists_app.command("show")
def show_cmd(
    name: Annotated[Literal["housing", "military", "overdue", "returned"], typer.Argument(help="清单")],
    township: Annotated[str | None, typer.Option("--township", help="只看该乡镇（9 位代码）")] = None,
    as_json: JsonOpt = False,
) -> None:
    """显示专项清单：housing 乱占耕地建房、military 涉军、overdue 逾期、returned 退回。重点关注图斑在前，其余按截止日期先后排列。"""

    def run() -> list[ListRow]:
        store = open_store(settings())
        with store.reading() as session:
            return special_list(
                session, name, on=clock.today(), townships=None if township is None else {township.strip()}
            )

    rows = guarded(as_json, run)
    if as_json:
        emit_json({"list": name, "rows": [r.as_json() for r in rows]})
        return
    t = Table(title=f"{TITLES[name]}（{len(rows)} 个）")
    for col in ("监测编号", "重点关注", "乡镇（街道）", "面积（㎡）", "状态", "预判", "判定"):
        t.add_column(col)
    for r in rows:
        t.add_row(r.patch_code, "、".join(r.priority), r.township or "", f"{r.area_m2:.2f}",
                  STATE_LABELS[State(r.state)], r.suggestion or "", r.determination or "")  # fmt: skip
    out.print(t)


@lists_app.command("closure")
def closure_cmd(as_json: JsonOpt = False) -> None:
    """月清完成情况：各乡镇当月下发图斑在当月底前完成判定提交的比例。"""

    def run() -> list[dict[str, Any]]:
        store = open_store(settings())
        with store.reading() as session:
            return [
                {"township": m.township, "month": m.month, "issued": m.issued, "determined": m.determined,
                 "rate": round(m.rate, 4)}
                for m in closure(session)
            ]  # fmt: skip

    rows = guarded(as_json, run)
    if as_json:
        emit_json({"closure": rows})
        return
    t = Table(title="月清完成情况")
    for col in ("乡镇（街道）", "月份", "下发", "当月完成", "完成率"):
        t.add_column(col)
    for r in rows:
        t.add_row(r["township"], r["month"], str(r["issued"]), str(r["determined"]), f"{r['rate']:.1%}")
    out.print(t)


@sheets_app.command("template")
def template_cmd(
    path: Annotated[Path, typer.Argument(help="输出的 .xlsx 文件")],
    batch: Annotated[str | None, typer.Option("--batch", help="只含该批次")] = None,
    township: Annotated[str | None, typer.Option("--township", help="只含该乡镇（9 位代码）")] = None,
    as_json: JsonOpt = False,
) -> None:
    """导出尚待判定图斑的填报表（含预判结果），供乡镇离线填写。"""

    def run() -> int:
        store = open_store(settings())
        return export_template(
            store, path, rules=load_rules(), on=clock.today(), batch=batch, township=township
        )

    n = guarded(as_json, run)
    if as_json:
        emit_json({"path": path, "rows": n})
    else:
        out.print(f"已导出 {n} 个图斑的填报表：{path}", highlight=False)


@sheets_app.command("import")
def import_cmd(
    path: Annotated[Path, typer.Argument(help="填好的 .xlsx 文件")],
    submit: Annotated[bool, typer.Option("--submit", help="导入后立即提交审核")] = False,
    as_account: AsOpt = "",
    as_json: JsonOpt = False,
) -> None:
    """导入填报表：未填写的行跳过并计数；已填写的行逐行校验，任何一行不合格则全部不写入，并逐行说明原因。"""

    def run() -> SheetImport:
        store = open_store(settings())
        with store.reading() as session:
            who = actor_as(session, as_account)
        return import_sheet(store, path, actor=who, rules=load_rules(), on=clock.today(), submit=submit)

    r = guarded(as_json, run)
    if as_json:
        emit_json({"path": path, "saved": r.saved, "submitted": r.saved if submit else 0, "blank": r.blank})
    else:
        blank = f"；{r.blank} 行未填写，已跳过" if r.blank else ""
        out.print(f"已导入 {r.saved} 个图斑的判定{'并提交审核' if submit else ''}{blank}。", highlight=False)
