"""``weipian split``: cut a patch into parts (图斑拆分), show a split, withdraw it.

``weipian split JCBH --parts FILE.geojson --as ACCOUNT`` is short for ``weipian split create …``:
a first argument that is not a subcommand's name is a JCBH.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from typer.core import TyperGroup

from weipian.cli.actor import AsOpt, actor_as
from weipian.cli.context import command_store
from weipian.cli.output import emit_json, err, guarded, out
from weipian.domain import clock
from weipian.errors import InputError, NotFound
from weipian.io.split_parts import MAX_BYTES
from weipian.services import split
from weipian.storage.workflow import find_patch

JsonOpt = Annotated[bool, typer.Option("--json", help="以一个 JSON 对象输出结果")]
CodeArg = Annotated[str, typer.Argument(help="监测编号 JCBH（原图斑或其子图斑）")]
SourceOpt = Annotated[str | None, typer.Option("--source", help="来源（监测编号重复时指明）")]
YearOpt = Annotated[int | None, typer.Option("--year", help="年度（监测编号重复时指明）")]


class _DefaultCreate(TyperGroup):
    """``weipian split JCBH …`` runs ``create``; ``show`` and ``undo`` keep their names."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:  # Any: typer vendors click's Context
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["create", *args]
        return super().parse_args(ctx, args)


app = typer.Typer(
    cls=_DefaultCreate,
    help="图斑拆分：把一个图斑按 GeoJSON 中的子图斑拆分（子图斑须恰好拼成原图斑），查看、撤销拆分。",
    no_args_is_help=True,
)


def _print(info: split.SplitInfo, head: str) -> None:
    err.print(
        f"{head}：图斑 {info.parent_code}（{info.area_m2:.2f} ㎡）拆分为 {len(info.parts)} 个子图斑，"
        f"原图斑状态：{info.as_json()['state_label']}。",
        highlight=False,
    )
    table = Table("子图斑", "面积（㎡）", "乡镇", "状态", "判定")
    for p in info.parts:
        table.add_row(
            p.code,
            f"{p.area_m2:.2f}",
            p.township_name or p.township_code or "",
            p.state_label,
            p.verdict or "",
        )
    out.print(table)


def _read(path: Path) -> bytes:
    if not path.is_file():
        raise InputError("package.not_found", path=str(path))
    if path.stat().st_size > MAX_BYTES:  # refuse before reading a huge file into memory
        raise InputError(
            "split.file_too_large", size_mb=round(path.stat().st_size / 2**20, 1), max_mb=MAX_BYTES // 2**20
        )
    return path.read_bytes()


@app.command("create")
def create_cmd(
    code: CodeArg,
    parts: Annotated[
        Path, typer.Option("--parts", help="子图斑 GeoJSON（FeatureCollection，经纬度），按要素顺序编号")
    ],
    as_account: AsOpt,
    source: SourceOpt = None,
    year: YearOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """拆分图斑：子图斑编号为 JCBH-1、JCBH-2 …，各自判定、审核、整改；原图斑状态随子图斑。"""

    def run() -> split.SplitInfo:
        data = _read(parts)
        with command_store() as store, store.writing() as session:
            who = actor_as(session, as_account)
            patch = find_patch(session, code, source=source, year=year)
            return split.split_patch(session, patch.id, data, actor=who, at=clock.now())

    info = guarded(as_json, run)
    if as_json:
        emit_json(info.as_json())
    else:
        _print(info, "已拆分")


@app.command("show")
def show_cmd(
    code: CodeArg,
    geometry: Annotated[bool, typer.Option("--geometry", help="同时输出子图斑图形（GeoJSON）")] = False,
    source: SourceOpt = None,
    year: YearOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """查看图斑的拆分：子图斑编号、面积、乡镇、状态和判定。"""

    def run() -> split.SplitInfo:
        with command_store() as store, store.reading() as session:
            patch = find_patch(session, code, source=source, year=year)
            info = split.split_of(session, patch.id)
            if info is None:
                raise NotFound("split.none", code=code)
            return info

    info = guarded(as_json, run)
    if as_json:
        emit_json(info.as_json(with_geometry=geometry))
    else:
        _print(info, f"拆分状态“{info.status}”")


@app.command("undo")
def undo_cmd(
    code: CodeArg,
    as_account: AsOpt,
    source: SourceOpt = None,
    year: YearOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """撤销拆分（任何子图斑还没有核查、判定等记录时）：删除子图斑，原图斑恢复为一个图斑。"""

    def run() -> dict[str, Any]:
        with command_store() as store, store.writing() as session:
            who = actor_as(session, as_account)
            patch = find_patch(session, code, source=source, year=year)
            parent, removed = split.undo_split(session, patch.id, actor=who, at=clock.now())
            return {"JCBH": parent, "removed": removed}

    done = guarded(as_json, run)
    if as_json:
        emit_json(done)
    else:
        err.print(
            f"已撤销图斑 {done['JCBH']} 的拆分，删除子图斑：{'、'.join(done['removed'])}。", highlight=False
        )
