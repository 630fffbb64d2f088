"""``weipian import``: a patch package as one batch."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from weipian.analysis.area import AreaMethod
from weipian.cli.context import open_store, settings
from weipian.cli.output import emit_json, err, guarded, out, progress_bar, rejections_json, styled
from weipian.domain.sources import Source
from weipian.errors import InputError
from weipian.messages import message
from weipian.services.intake import ImportSummary, IntakeOptions, import_package


def parse_date(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise InputError("date.invalid", value=value) from exc


def import_command(
    path: Annotated[Path, typer.Argument(help="图斑数据包：.zip（内含 shapefile）、.shp、.gpkg 或 .geojson")],
    source: Annotated[
        Source, typer.Option("--source", help="来源：ministry 部卫片 / province 省卫片 / self 自主发现")
    ],
    batch: Annotated[str | None, typer.Option("--batch", help="批次名称（默认取文件名）")] = None,
    issued: Annotated[
        str | None, typer.Option("--issued", help="下发日期 YYYY-MM-DD（默认取 XFSJ 字段或今天）")
    ] = None,
    days: Annotated[
        int | None,
        typer.Option(
            "--verification-days",
            min=1,
            help="本批次核查填报期限（天），默认取设置 WEIPIAN_VERIFICATION_DAYS",
        ),
    ] = None,
    allow_outside: Annotated[
        bool, typer.Option("--allow-outside", help="接收完全位于本县范围（WEIPIAN_COUNTY_BBOX）之外的图斑")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="以一个 JSON 对象输出结果")] = False,
) -> None:
    """导入一个图斑数据包（整批导入，出错则不写入任何数据）。"""

    def run() -> ImportSummary:
        s = settings()
        store = open_store(s)
        method = AreaMethod(s.area_method, s.gauss_kruger_epsg if s.area_method == "gauss_kruger" else None)
        options = IntakeOptions(
            source=source,
            batch=batch,
            issued=parse_date(issued),
            verification_days=days or s.verification_days,
            same_place_min_overlap=s.same_place_min_overlap,
            area_method=method,
            region=s.county_bbox,
            allow_outside=allow_outside,
        )
        with progress_bar() as progress:
            return import_package(store, path, options, progress=progress)

    summary = guarded(as_json, run)
    for code, params in summary.warnings:
        err.print(styled("注意：", "yellow", message(code, **params)), highlight=False)
    if as_json:
        emit_json(
            {
                "batch": summary.batch,
                "source": summary.source,
                "accepted": summary.accepted,
                "repaired": summary.repaired,
                "rejected": rejections_json(summary.rejected),
                "linked": summary.linked,
                "unassigned": summary.unassigned,
                "source_crs": summary.source_crs,
                "crs_inferred": summary.crs_inferred,
                "due_on": summary.due_on,
            }
        )
        return
    table = Table(title=f"批次“{summary.batch}”导入完成", show_header=False)
    table.add_row("导入图斑", str(summary.accepted))
    table.add_row("几何修复", str(summary.repaired))
    table.add_row("拒收记录", str(len(summary.rejected)))
    table.add_row("同位置关联", str(summary.linked))
    table.add_row("未能归属乡镇", str(summary.unassigned))
    table.add_row("原坐标系", summary.source_crs + ("（推断）" if summary.crs_inferred else ""))
    table.add_row("核查截止日期", str(summary.due_on))
    out.print(table)
    for r in rejections_json(summary.rejected)[:50]:
        err.print(f"  拒收：{r['message']}", highlight=False)
