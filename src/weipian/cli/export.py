"""``weipian export``: result files for the platforms, GIS and Excel."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from weipian.cli.context import open_store, settings
from weipian.cli.output import emit_json, err, fail, guarded, out
from weipian.domain import clock
from weipian.errors import WeipianError
from weipian.messages import message
from weipian.rules import load_rules
from weipian.services.delivery import DeliverySummary, export_delivery
from weipian.services.export import ExportSummary, export_results

app = typer.Typer(help="导出：比对结果、部/省平台报送文件。", no_args_is_help=True)


@app.command("results")
def results_cmd(
    path: Annotated[Path, typer.Argument(help="输出文件：.gpkg、.shp 或 .xlsx")],
    batch: Annotated[str | None, typer.Option("--batch", help="只导出该批次")] = None,
    fmt: Annotated[
        Literal["gpkg", "shp", "xlsx"] | None, typer.Option("--format", help="格式（默认按扩展名）")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="以一个 JSON 对象输出结果")] = False,
) -> None:
    """导出每个图斑的内业比对结果（字段名同部、省平台；涉军事用地图斑不导出）。"""

    def run() -> ExportSummary:
        store = open_store(settings())
        chosen = fmt or path.suffix.lower().lstrip(".")
        return export_results(store, path, fmt=chosen, batch=batch)

    summary = guarded(as_json, run)
    if as_json:
        emit_json(
            {
                "path": summary.path,
                "format": summary.format,
                "patches": summary.patches,
                "restricted_left_out": summary.restricted_left_out,
                "not_analysed": summary.not_analysed,
                "military_unchecked": summary.military_unchecked,
            }
        )
        return
    out.print(f"已导出 {summary.patches} 个图斑到 {summary.path}。", highlight=False)
    if summary.restricted_left_out:
        out.print(
            f"涉军事用地的 {summary.restricted_left_out} 个图斑按规定未导出（仅限离线报送）。",
            highlight=False,
        )
    if summary.military_unchecked:
        out.print(
            f"其中 {summary.military_unchecked} 个图斑尚未与军事用地图层比对（导入时尚无该图层），按涉军处理未导出。"
            "请先导入军事用地图层（weipian layers import … --kind military）。",
            highlight=False,
        )
    if summary.not_analysed:
        out.print(
            f"其中 {summary.not_analysed} 个图斑尚未内业比对，面积字段为空。请先运行 weipian analyze。",
            highlight=False,
        )


FormatOpt = Annotated[
    Literal["gpkg", "shp", "xlsx"] | None, typer.Option("--format", help="格式（默认按扩展名）")
]


def _delivery(
    platform: str, path: Path, batch: str | None, fmt: str | None, force: bool, as_json: bool
) -> None:
    try:
        store = open_store(settings())
        chosen = fmt or path.suffix.lower().lstrip(".")
        summary = export_delivery(
            store,
            path,
            platform=platform,
            fmt=chosen,
            rules=load_rules(),
            on=clock.today(),
            batch=batch,
            force=force,
        )
    except WeipianError as exc:
        if exc.code != "delivery.incomplete":
            fail(exc, as_json)
        _incomplete(exc, as_json)
        raise typer.Exit(1) from None
    _delivered(summary, as_json)


def _incomplete(exc: WeipianError, as_json: bool) -> None:
    """Every patch with the required fields it leaves blank; nothing was written."""
    missing = exc.params["missing"]
    text = message(exc.code, **exc.params)
    if as_json:
        emit_json({"error": {"code": exc.code, "message": text, "missing": missing}})
        return
    err.print(f"[bold red]错误：[/]{text}", highlight=False)
    for item in missing:
        err.print(f"  - {item['JCBH']}：{'、'.join(item['labels'])}", highlight=False)


def _delivered(summary: DeliverySummary, as_json: bool) -> None:
    missing = [{"JCBH": i.code, "fields": list(i.fields), "labels": i.labels} for i in summary.incomplete]
    if as_json:
        emit_json(
            {
                "path": summary.path, "format": summary.format, "platform": summary.platform,
                "patches": summary.patches, "restricted_left_out": summary.restricted_left_out,
                "incomplete": missing, "written": summary.written,
            }
        )  # fmt: skip
        return
    out.print(f"已写出 {summary.patches} 个图斑的报送文件：{summary.path}", highlight=False)
    if summary.restricted_left_out:
        out.print(
            f"涉军事用地的 {summary.restricted_left_out} 个图斑按规定未导出（仅限离线报送）。",
            highlight=False,
        )
    if missing:
        out.print(f"注意：{len(missing)} 个图斑仍有必填字段未填（已按 --force 导出）：", highlight=False)
        for item in missing:
            out.print(f"  - {item['JCBH']}：{'、'.join(item['labels'])}", highlight=False)


@app.command("ministry")
def ministry_cmd(
    path: Annotated[Path, typer.Argument(help="输出文件：.gpkg、.shp 或 .xlsx")],
    batch: Annotated[str | None, typer.Option("--batch", help="只导出该批次")] = None,
    fmt: FormatOpt = None,
    force: Annotated[bool, typer.Option("--force", help="有必填字段未填时仍然导出")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="以一个 JSON 对象输出结果")] = False,
) -> None:
    """导出部卫片报送文件：下发的行政区代码与监测编号原样保留，附判定、违法面积、新增/存量、乱占、矿产、
    合法手续、举证材料路径与预判理由；CGCS2000，shp 为 GBK 编码并附 .cpg。先逐图斑检查必填字段，
    有缺项则列出且不写文件（--force 除外）。涉军事用地图斑一律不导出。"""
    _delivery("ministry", path, batch, fmt, force, as_json)


@app.command("province")
def province_cmd(
    path: Annotated[Path, typer.Argument(help="输出文件：.gpkg、.shp 或 .xlsx")],
    batch: Annotated[str | None, typer.Option("--batch", help="只导出该批次")] = None,
    fmt: FormatOpt = None,
    force: Annotated[bool, typer.Option("--force", help="有必填字段未填时仍然导出")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="以一个 JSON 对象输出结果")] = False,
) -> None:
    """导出省卫片报送文件（字段同部平台，另附 TBBH）；必填字段检查与涉军规定同部平台。"""
    _delivery("province", path, batch, fmt, force, as_json)
