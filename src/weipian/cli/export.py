"""``weipian export``: result files for the platforms, GIS and Excel."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from weipian.cli.context import open_store, settings
from weipian.cli.output import emit_json, guarded, out
from weipian.services.export import ExportSummary, export_results

app = typer.Typer(help="导出：比对结果等。", no_args_is_help=True)


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
