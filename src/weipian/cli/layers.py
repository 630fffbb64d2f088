"""``weipian layers``: reference layers."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from weipian.cli.context import open_store, settings
from weipian.cli.intake import parse_date
from weipian.cli.output import emit_json, err, guarded, out, progress_bar, rejections_json
from weipian.domain.layers import LayerKind
from weipian.services.layers import LayerSummary, import_layer
from weipian.storage.layers import list_layers

app = typer.Typer(help="参考图层：导入与查看。", no_args_is_help=True)


@app.command("import")
def import_cmd(
    path: Annotated[Path, typer.Argument(help="图层文件：.zip、.shp、.gpkg 或 .geojson")],
    kind: Annotated[LayerKind, typer.Option("--kind", help="图层类型")],
    name: Annotated[str | None, typer.Option("--name", help="图层名称（默认取文件名）")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="数据现势日期 YYYY-MM-DD")] = None,
    allow_outside: Annotated[
        bool, typer.Option("--allow-outside", help="允许导入完全位于本县范围之外的要素")
    ] = False,
    confirm: Annotated[
        bool, typer.Option("--confirm", help="确认导入会使原涉军图斑解除限制的军事用地新版本")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="以一个 JSON 对象输出结果")] = False,
) -> None:
    """导入一个参考图层，成为该类型的新版本。"""

    def run() -> LayerSummary:
        s = settings()
        store = open_store(s)
        with progress_bar() as progress:
            return import_layer(
                store, path, kind, name=name, as_of=parse_date(as_of), region=s.county_bbox,
                allow_outside=allow_outside, confirm_release=confirm, progress=progress,
            )  # fmt: skip

    summary = guarded(as_json, run)
    if as_json:
        emit_json(
            {
                "kind": summary.kind,
                "name": summary.name,
                "version": summary.version,
                "features": summary.features,
                "repaired": summary.repaired,
                "rejected": rejections_json(summary.rejected),
                "source_crs": summary.source_crs,
                "crs_inferred": summary.crs_inferred,
                **(
                    {"restricted": summary.restricted, "newly_restricted": summary.newly_restricted,
                     "released": summary.released}
                    if summary.restricted is not None else {}
                ),
            }
        )  # fmt: skip
    else:
        err.print(
            f"图层“{summary.name}”（{kind.label}）第 {summary.version} 版导入完成："
            f"{summary.features} 个要素，修复 {summary.repaired} 个，拒收 {len(summary.rejected)} 个。",
            highlight=False,
            markup=False,
        )
        if summary.restricted is not None:
            err.print(
                f"涉军图斑已按新版本重新标记：共 {summary.restricted} 个（新增 {summary.newly_restricted} 个，"
                f"解除 {summary.released} 个）。",
                highlight=False,
            )


@app.command("list")
def list_cmd(
    as_json: Annotated[bool, typer.Option("--json", help="以一个 JSON 对象输出结果")] = False,
) -> None:
    """列出已导入的参考图层及其版本。"""

    def run() -> list[dict[str, object]]:
        store = open_store(settings())
        with store.reading() as session:
            return [
                {
                    "kind": r.kind,
                    "name": r.name,
                    "version": r.version,
                    "as_of": r.as_of,
                    "features": r.feature_count,
                    "current": r.is_current,
                    "imported_at": r.imported_at,
                }
                for r in list_layers(session)
            ]

    rows = guarded(as_json, run)
    if as_json:
        emit_json({"layers": rows})
        return
    table = Table(title="参考图层")
    for col in ("类型", "名称", "版本", "现势日期", "要素数", "当前"):
        table.add_column(col)
    for r in rows:
        table.add_row(
            f"{LayerKind(str(r['kind'])).label}（{r['kind']}）",
            str(r["name"]),
            str(r["version"]),
            str(r["as_of"] or ""),
            str(r["features"]),
            "是" if r["current"] else "",
        )
    out.print(table)
