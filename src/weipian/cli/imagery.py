"""``weipian imagery``: register before/after imagery (GeoTIFF → COG) and list it."""

from __future__ import annotations

import datetime as dt
import getpass
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from weipian.cli.actor import ByOpt
from weipian.cli.context import open_store, settings
from weipian.cli.output import emit_json, err, guarded, out
from weipian.config import files_dir
from weipian.domain.fields import field_date
from weipian.errors import InputError
from weipian.services.imagery import ImageInfo, Phase, add_image, list_images

app = typer.Typer(
    help="卫星影像：登记前/后时相影像（转为云优化 GeoTIFF），在地图上显示。", no_args_is_help=True
)


def parse_day(value: str) -> dt.date:
    """``YYYYMMDD`` (as QSX/HSX are written) or ``YYYY-MM-DD``."""
    day = field_date(value)
    if day is None:
        raise InputError("imagery.date", value=value)
    return day


def _json(info: ImageInfo) -> dict[str, Any]:
    return {
        "id": info.id,
        "phase": info.phase,
        "taken_on": info.taken_on,
        "name": info.name,
        "stored_name": info.stored_name,
        "sha256": info.sha256,
        "crs": info.crs,
        "width": info.width,
        "height": info.height,
        "bands": info.bands,
        "bounds": list(info.bounds),
        "added_by": info.added_by,
        "added_at": info.added_at,
    }


@app.command("add")
def add_cmd(
    path: Annotated[Path, typer.Argument(help="影像文件：带坐标系的 GeoTIFF（.tif）")],
    phase: Annotated[Phase, typer.Option("--phase", help="时相：before 前时相 / after 后时相")],
    date: Annotated[str, typer.Option("--date", help="成像日期 YYYYMMDD")],
    by: ByOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="以一个 JSON 对象输出结果")] = False,
) -> None:
    """登记一景影像：转换为云优化 GeoTIFF（COG）存入文件目录，地图按影像编号显示。"""

    def run() -> ImageInfo:
        taken_on = parse_day(date)
        s = settings()
        store = open_store(s)
        with err.status(f"正在把 {path.name} 转换为云优化 GeoTIFF（COG）……", spinner="dots"):
            return add_image(
                store,
                files_dir(s),
                path,
                phase=phase.value,
                taken_on=taken_on,
                actor_name=by or getpass.getuser(),
            )

    info = guarded(as_json, run)
    if as_json:
        emit_json(_json(info))
    else:
        w, s_, e, n = info.bounds
        err.print(
            f"已登记影像 {info.id}（{Phase(info.phase).label}，{info.taken_on.isoformat()}）：{info.name}，"
            f"{info.width}×{info.height} 像素，{info.bands} 个波段，坐标系 {info.crs}，"
            f"范围 {w:.4f}–{e:.4f}°E、{s_:.4f}–{n:.4f}°N。",
            highlight=False,
        )


@app.command("list")
def list_cmd(
    as_json: Annotated[bool, typer.Option("--json", help="以一个 JSON 对象输出结果")] = False,
) -> None:
    """列出已登记的影像。"""

    def run() -> list[ImageInfo]:
        store = open_store(settings())
        with store.reading() as session:
            return list_images(session)

    rows = guarded(as_json, run)
    if as_json:
        emit_json({"images": [_json(r) for r in rows]})
        return
    table = Table(title="已登记影像")
    for col in ("编号", "时相", "日期", "文件名", "像素", "波段", "坐标系", "经纬度范围", "登记人"):
        table.add_column(col)
    for r in rows:
        w, s, e, n = r.bounds
        table.add_row(
            str(r.id),
            Phase(r.phase).label,
            r.taken_on.isoformat(),
            r.name,
            f"{r.width}×{r.height}",
            str(r.bands),
            r.crs,
            f"{w:.4f},{s:.4f},{e:.4f},{n:.4f}",
            r.added_by,
        )
    out.print(table)
    if not rows:
        err.print("尚未登记影像。用 weipian imagery add 影像.tif --phase before|after --date YYYYMMDD 登记。")
