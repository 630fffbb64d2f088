"""``weipian demo``: a synthetic county at Nan'an's location, in real delivery formats, dated
from today (the batches issued in the last weeks)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from weipian.cli.output import emit_json, err, progress_bar
from weipian.domain import clock


def demo_command(
    dir: Annotated[Path, typer.Option("--dir", help="输出目录")],
    seed: Annotated[int, typer.Option("--seed", help="随机种子（同一种子生成相同数据）")] = 42,
    patches: Annotated[int, typer.Option("--patches", min=1, help="图斑总数（部、省合计）")] = 600,
    parcels: Annotated[int, typer.Option("--parcels", min=100, help="地类图斑（三调）数量")] = 20000,
    imagery: Annotated[
        bool, typer.Option("--imagery/--no-imagery", help="同时生成前/后时相演示影像（GeoTIFF，约 10 秒）")
    ] = True,
    as_json: Annotated[bool, typer.Option("--json", help="以一个 JSON 对象输出结果")] = False,
) -> None:
    """生成演示县数据：乡镇界线、参考图层、部/省图斑数据包和前/后时相影像；日期随当前日期（部批次 20 天前、省批次 11 天前下发）。"""
    from weipian.demo import write_demo, write_demo_imagery

    today = clock.today()  # the demo's dates follow the clock (WEIPIAN_NOW for a fixed demo)
    with progress_bar() as progress:
        manifest = write_demo(
            dir, seed=seed, patches=patches, parcels=parcels, progress=progress, today=today
        )
        pair = write_demo_imagery(dir, seed=seed, progress=progress, today=today) if imagery else None
    if as_json:
        emit_json(
            {
                "dir": manifest.dir,
                "layers": manifest.layers,
                "packages": [
                    {
                        "path": p.path,
                        "source": p.source,
                        "batch": p.batch,
                        "issued": p.issued,
                        "patches": p.patches,
                    }
                    for p in manifest.packages
                ],
                "imagery": None
                if pair is None
                else [
                    {"path": pair.before, "phase": "before", "date": pair.before_date},
                    {"path": pair.after, "phase": "after", "date": pair.after_date},
                ],
            }
        )
    else:
        err.print(
            f"演示数据已写入 {manifest.dir}：{len(manifest.layers)} 个参考图层，{len(manifest.packages)} 个图斑数据包。"
        )
        if pair is not None:
            err.print(
                f"演示影像：{pair.before.name}（前时相 {pair.before_date:%Y%m%d}）、"
                f"{pair.after.name}（后时相 {pair.after_date:%Y%m%d}），{pair.pixel_m:g} 米分辨率。"
            )
