"""``weipian init`` and ``weipian summary``."""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any

import typer
from rich.table import Table

from weipian.cli.context import open_store, settings
from weipian.cli.output import emit_json, err, guarded, out
from weipian.domain.sources import Source
from weipian.domain.units import m2_to_mu
from weipian.domain.workflow import State
from weipian.messages.labels import NO_UNIT
from weipian.services.admin import init_store
from weipian.storage.patches import batch_summaries, count_by, township_counts
from weipian.storage.tables import patches, suggestions

JsonOpt = Annotated[bool, typer.Option("--json", help="以一个 JSON 对象输出结果")]


def init_command(as_json: JsonOpt = False) -> None:
    """创建或升级数据库（可重复执行）。"""

    def run() -> dict[str, Any]:
        s = settings()
        store = open_store(s, require_init=False)
        revision = init_store(store)
        return {"database_url": s.database_url, "revision": revision}

    result = guarded(as_json, run)
    if as_json:
        emit_json(result)
    else:
        err.print(f"数据库已就绪：{result['database_url']}（版本 {result['revision']}）", highlight=False)


def summary_command(as_json: JsonOpt = False) -> None:
    """汇总：各批次图斑数与各乡镇（街道）图斑数、面积。"""

    def run() -> dict[str, Any]:
        store = open_store(settings())
        with store.reading() as session:
            batches = [dataclasses.asdict(r) for r in batch_summaries(session)]
            towns = [dataclasses.asdict(r) for r in township_counts(session)]
            states = count_by(session, patches.c.state)
            verdicts = count_by(session, suggestions.c.verdict)
        return {"batches": batches, "townships": towns, "states": states, "suggestions": verdicts}

    result = guarded(as_json, run)
    if as_json:
        emit_json(result)
        return
    bt = Table(title="批次")
    for col in ("来源", "批次", "年度", "下发日期", "核查截止", "图斑数", "修复", "原坐标系"):
        bt.add_column(col)
    for b in result["batches"]:
        bt.add_row(
            Source(b["source"]).label,
            b["name"],
            str(b["year"]),
            str(b["issued_on"]),
            str(b["due_on"]),
            str(b["patch_count"]),
            str(b["repaired_count"]),
            b["source_crs"],
        )
    out.print(bt)
    by_town: dict[tuple[str, str], dict[str, float]] = {}
    for r in result["townships"]:
        key = (r["township_code"] or "", r["name"] or NO_UNIT)
        cell = by_town.setdefault(key, {"ministry": 0, "province": 0, "self": 0, "area": 0.0})
        cell[r["source"]] += r["patches"]
        cell["area"] += r["area_m2"] or 0.0
    tt = Table(title="各乡镇（街道）图斑")
    for col in ("代码", "乡镇（街道）", "部卫片", "省卫片", "自主发现", "合计", "面积（亩）"):
        tt.add_column(col, justify="right" if col not in ("代码", "乡镇（街道）") else "left")
    totals = {"ministry": 0.0, "province": 0.0, "self": 0.0, "area": 0.0}
    for (code, name), c in sorted(by_town.items()):
        for k in totals:
            totals[k] += c[k]
        tt.add_row(
            code,
            name,
            str(int(c["ministry"])),
            str(int(c["province"])),
            str(int(c["self"])),
            str(int(c["ministry"] + c["province"] + c["self"])),
            f"{m2_to_mu(c['area']):.2f}",
        )
    tt.add_row(
        "",
        "合计",
        str(int(totals["ministry"])),
        str(int(totals["province"])),
        str(int(totals["self"])),
        str(int(totals["ministry"] + totals["province"] + totals["self"])),
        f"{m2_to_mu(totals['area']):.2f}",
        style="bold",
    )
    out.print(tt)
    st = Table(title="核查进度与规则预判")
    st.add_column("状态")
    st.add_column("图斑数", justify="right")
    for state in State:
        if result["states"].get(state.value):
            st.add_row(state.label, str(result["states"][state.value]))
    for verdict, n in sorted(result["suggestions"].items(), key=lambda kv: -kv[1]):
        st.add_row(f"预判：{verdict}", str(n))
    out.print(st)
