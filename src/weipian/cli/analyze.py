"""``weipian analyze``: the desk comparison."""

from __future__ import annotations

from typing import Annotated

import typer

from weipian.analysis.area import AreaMethod
from weipian.cli.context import open_store, settings
from weipian.cli.output import emit_json, err, guarded, out, progress_bar, styled
from weipian.domain.layers import LayerKind
from weipian.services.analyze import AnalysisSummary, analyze


def analyze_command(
    batch: Annotated[str | None, typer.Option("--batch", help="只比对该批次（默认全部图斑）")] = None,
    workers: Annotated[int, typer.Option("--workers", min=1, help="本机并行进程数")] = 2,
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", help="Dask 集群调度器地址，如 tcp://10.0.0.5:8786")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="以一个 JSON 对象输出结果")] = False,
) -> None:
    """内业比对：把图斑与全部参考图层精确叠加，计算各类面积、批文覆盖、矿权位置等。"""

    def run() -> AnalysisSummary:
        s = settings()
        store = open_store(s)
        method = AreaMethod(s.area_method, s.gauss_kruger_epsg if s.area_method == "gauss_kruger" else None)
        with progress_bar() as progress:
            return analyze(
                store, batch=batch, workers=workers, scheduler=scheduler, method=method, progress=progress
            )

    summary = guarded(as_json, run)
    if as_json:
        emit_json(
            {
                "run_id": summary.run_id,
                "patches": summary.patches,
                "chunks": summary.chunks,
                "engine": summary.engine,
                "area_method": summary.area_method,
                "layers": summary.layers,
                "missing_kinds": summary.missing_kinds,
                "restricted": summary.restricted,
            }
        )
        return
    if summary.missing_kinds:
        names = "、".join(f"{LayerKind(k).label}（{k}）" for k in summary.missing_kinds)
        err.print(styled("注意：", "yellow", f"以下图层尚未导入，相关指标未计算：{names}"), highlight=False)
    out.print(
        f"内业比对完成：{summary.patches} 个图斑，{len(summary.layers)} 类图层，"
        f"面积方法 {summary.area_method}；涉军事用地（限制公开）{summary.restricted} 个。",
        highlight=False,
    )
