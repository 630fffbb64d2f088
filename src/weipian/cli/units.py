"""``weipian units``: responsibility units (责任单位) — list, add, update."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from weipian.cli.context import command_store
from weipian.cli.output import emit_json, err, guarded, out
from weipian.domain.organisation import OrgUnit, UnitKind
from weipian.services.units import add_unit, all_units, update_unit_record

JsonOpt = Annotated[bool, typer.Option("--json", help="以一个 JSON 对象输出结果")]
CodeArg = Annotated[str, typer.Argument(help="单位代码（乡镇为 9 位行政区代码）")]
TownshipsOpt = Annotated[
    str | None,
    typer.Option(
        "--townships", help="所辖乡镇代码，逗号分隔，例如 350583119,350583120；给空字符串表示不辖乡镇"
    ),
]

app = typer.Typer(
    help="责任单位：乡镇（街道）、开发区、市局科室、水头分局、资源管理所及其所辖乡镇。", no_args_is_help=True
)


def unit_json(u: OrgUnit) -> dict[str, Any]:
    return {"code": u.code, "name": u.name, "kind": u.kind.value, "kind_label": u.kind.label,
            "townships": sorted(u.townships), "active": u.active}  # fmt: skip


def _codes(text: str | None) -> list[str] | None:
    return None if text is None else [c for c in text.replace("，", ",").split(",") if c.strip()]


@app.command("list")
def list_cmd(as_json: JsonOpt = False) -> None:
    """列出全部单位、类别、所辖乡镇和是否启用。"""

    def run() -> list[OrgUnit]:
        with command_store() as store, store.reading() as session:
            return all_units(session)

    units = guarded(as_json, run)
    if as_json:
        emit_json({"units": [unit_json(u) for u in units]})
        return
    t = Table(title=f"责任单位（{len(units)} 个）")
    for col in ("代码", "名称", "类别", "所辖乡镇", "状态"):
        t.add_column(col)
    for u in units:
        t.add_row(
            u.code,
            u.name,
            u.kind.label,
            "、".join(sorted(u.townships)) or "—",
            "启用" if u.active else "停用",
        )
    out.print(t)


@app.command("add")
def add_cmd(
    code: CodeArg,
    name: Annotated[str, typer.Option("--name", help="单位名称，例如 某某资源管理所")],
    kind: Annotated[
        UnitKind,
        typer.Option(
            "--kind",
            help="类别：development_zone 开发区、section 科室、branch 分局、resource_office 资源管理所",
        ),
    ],
    townships: TownshipsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """新增一个单位（乡镇单位来自乡镇名录，不在此新增）。"""

    def run() -> OrgUnit:
        with command_store() as store, store.writing() as session:
            return add_unit(session, code=code, name=name, kind=kind, covers=_codes(townships) or ())

    unit = guarded(as_json, run)
    if as_json:
        emit_json({"unit": unit_json(unit)})
    else:
        err.print(f"已新增单位 {unit.name}（{unit.code}，{unit.kind.label}）。", highlight=False)


@app.command("update")
def update_cmd(
    code: CodeArg,
    name: Annotated[str | None, typer.Option("--name", help="新名称")] = None,
    townships: TownshipsOpt = None,
    active: Annotated[
        bool | None, typer.Option("--active/--inactive", help="启用或停用（停用后其账号看不到任何图斑）")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """修改单位名称、所辖乡镇或启用状态；其账号下次操作即按新范围。"""

    def run() -> OrgUnit:
        with command_store() as store, store.writing() as session:
            return update_unit_record(session, code, name=name, covers=_codes(townships), active=active)

    unit = guarded(as_json, run)
    if as_json:
        emit_json({"unit": unit_json(unit)})
    else:
        towns = "、".join(sorted(unit.townships)) or "无"
        err.print(f"单位 {unit.name}（{unit.code}）：所辖乡镇 {towns}，{'启用' if unit.active else '停用'}。",
                  highlight=False)  # fmt: skip
