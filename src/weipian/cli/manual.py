"""``weipian intake manual``: one self-found case (自主发现) registered by hand."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from weipian.cli.actor import AsOpt, actor_as
from weipian.cli.context import command_store, settings
from weipian.cli.output import emit_json, guarded, out
from weipian.domain import clock
from weipian.errors import InputError
from weipian.rules import load_rules
from weipian.services.manual import ManualCase, Registered, manual_options, register_manual

app = typer.Typer(
    help="图斑登记：手工登记自主发现图斑（图斑数据包请用 weipian import）。", no_args_is_help=True
)

MAX_FILE_BYTES = 2 * 2**20  # a GeoJSON of one outline; larger files are refused unread


def _found_on(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise InputError("manual.date_invalid", value=value[:20]) from exc


def _geometry_text(geojson: Path | None, coords: str | None) -> str:
    if (geojson is None) == (coords is None):
        raise InputError("manual.geometry_twice" if geojson is not None else "manual.no_geometry")
    if coords is not None:
        return coords
    assert geojson is not None
    if not geojson.is_file():
        raise InputError("package.not_found", path=str(geojson))
    if geojson.stat().st_size > MAX_FILE_BYTES:
        raise InputError("manual.input_too_long", chars=geojson.stat().st_size, limit=MAX_FILE_BYTES)
    try:
        return geojson.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError("manual.geojson_invalid", detail="文件不是 UTF-8 编码的文本") from exc


@app.command("manual")
def manual_command(
    actor: AsOpt,
    jcbh: Annotated[str, typer.Option("--jcbh", help="监测编号（自行编号，字母、数字、汉字、- 或 _）")],
    geojson: Annotated[
        Path | None, typer.Option("--geojson", help="图斑范围：GeoJSON 文件（一个面，Polygon/MultiPolygon）")
    ] = None,
    coords: Annotated[
        str | None,
        typer.Option("--coords", help="图斑范围：坐标串“x y, x y, …”（经度 纬度；投影坐标请加 --crs）"),
    ] = None,
    crs: Annotated[
        str | None, typer.Option("--crs", help="坐标系，如 EPSG:4490 或 EPSG:4527（默认按坐标值推断）")
    ] = None,
    batch: Annotated[str | None, typer.Option("--batch", help="批次名称（默认“<年份>年自主发现”）")] = None,
    source: Annotated[
        str, typer.Option("--source", help="来源：只能是 self（自主发现），写出来仅为与 import 一致")
    ] = "self",
    change_type: Annotated[
        str | None, typer.Option("--change-type", help="图斑类型 TBLX，如 20、YH、CK")
    ] = None,
    found_on: Annotated[
        str | None, typer.Option("--found-on", help="发现日期 YYYY-MM-DD（核查期限由此起算，默认今天）")
    ] = None,
    note: Annotated[str | None, typer.Option("--note", help="发现情况说明（500 字以内）")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="以一个 JSON 对象输出结果")] = False,
) -> None:
    """登记一个自主发现图斑：与数据包相同的检查（坐标系、县域范围、椭球面积、归属乡镇、涉军），
    监测编号不得重复；限市局账号。"""

    def run() -> Registered:
        if source not in ("self", "自主发现"):
            raise InputError("manual.source_self_only", source=source[:20])
        text = _geometry_text(geojson, coords)
        s = settings()
        today = clock.today()
        case = ManualCase(
            jcbh=jcbh, geometry=text, crs=crs, batch=batch, change_type=change_type,
            found_on=_found_on(found_on), note=note,
        )  # fmt: skip
        rules = load_rules()
        with command_store() as store:
            with store.reading() as session:
                who = actor_as(session, actor)
            types = {c: t.name for c, t in rules.tables(today).change_types.items()}
            return register_manual(store, case, manual_options(s, today), actor=who, change_types=types)

    done = guarded(as_json, run)
    if as_json:
        emit_json(
            {
                "JCBH": done.jcbh, "id": done.patch_id, "batch": done.batch, "source": done.source,
                "XZQDM": done.township_code, "XZQMC": done.township_name, "JCMJ": done.area_m2,
                "restricted": done.restricted, "due_on": done.due_on, "linked": done.linked,
                "source_crs": done.crs, "crs_inferred": done.crs_inferred,
            }
        )  # fmt: skip
        return
    table = Table(title=f"自主发现图斑 {done.jcbh} 已登记", show_header=False)
    table.add_row("批次", done.batch)
    table.add_row("归属乡镇", done.township_name or "（未能归属乡镇）")
    table.add_row("监测面积（平方米）", f"{done.area_m2:.2f}")
    table.add_row("原坐标系", done.crs + ("（推断）" if done.crs_inferred else ""))
    table.add_row("同位置关联", str(done.linked))
    table.add_row("涉军事用地", "是（限制公开）" if done.restricted else "否")
    table.add_row("核查截止日期", str(done.due_on))
    out.print(table)
