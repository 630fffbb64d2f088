"""``weipian case``: the case register (立案查处) and the 矿产执法台账.

The actor is an account (``--as ACCOUNT``): the 市局 (reviewer or admin) files, updates and
closes cases and holds persons responsible; a township account may not (it reads its cases on
the web). The judge's discipline and crime flags become suggested persons when a case is
filed; ``case person --confirm ID`` confirms one (only then does it count), ``--dismiss ID
--reason`` sets it aside.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from weipian.cli.actor import AsOpt, actor_as
from weipian.cli.context import command_store, settings
from weipian.cli.intake import parse_date
from weipian.cli.output import emit_json, err, guarded, out
from weipian.config import Settings
from weipian.domain import clock
from weipian.domain.cases import CaseKind
from weipian.domain.ledger import CASE_KIND_LABELS
from weipian.domain.roles import Actor, Role
from weipian.errors import InputError, NotFound
from weipian.rules import load_rules
from weipian.services import cases
from weipian.services.case_records import CaseRecord, find_case, list_cases
from weipian.services.case_sheet import export_mineral, export_register
from weipian.storage.store import Store
from weipian.storage.workflow import find_patch

JsonOpt = Annotated[bool, typer.Option("--json", help="以一个 JSON 对象输出结果")]
CodeArg = Annotated[str, typer.Argument(help="监测编号 JCBH")]
SourceOpt = Annotated[str | None, typer.Option("--source", help="来源（监测编号重复时指明）")]
YearOpt = Annotated[int | None, typer.Option("--year", help="年度（监测编号重复时指明）")]
BasedOnOpt = Annotated[
    int | None,
    typer.Option("--based-on", help="所依据的案件版本号（case show 中的 version）；已被他人修改则拒绝"),
]

app = typer.Typer(
    help="立案查处：立案、处罚决定、罚没、结案，追究责任人（既查事又查人）；导出立案查处台账和矿产执法台账。",
    no_args_is_help=True,
)


def case_json(c: CaseRecord) -> dict[str, Any]:
    f = c.fields
    return {
        "JCBH": c.patch_code, "source": c.source, "year": c.year, "township": c.township_code,
        "kind": c.kind.value, "kind_label": CASE_KIND_LABELS[c.kind], "case_no": f.case_no, "filed_on": f.filed_on,
        "decision_no": f.decision_no, "decision_on": f.decision_on, "fine_yuan": f.fine_yuan,
        "confiscated_yuan": f.confiscated_yuan, "confiscated_area_m2": f.confiscated_area_m2,
        "confiscation": f.confiscation, "closed_on": f.closed_on, "note": f.note, "stage": c.stage.value,
        "stage_label": c.stage.label, "version": c.version, "created_by": c.created_by, "updated_by": c.updated_by,
        "updated_at": c.updated_at, "mining_licence": c.mining_licence, "mining_mineral": c.mining_mineral,
        "persons": [
            {"id": p.id, "name": p.name, "position": p.position, "outcome": p.outcome.value,
             "outcome_label": p.outcome.label, "detail": p.detail, "suggested_by": p.suggested_by,
             "confirmed": p.confirmed, "confirmed_by": p.confirmed_by, "confirmed_at": p.confirmed_at}
            for p in c.persons
        ],
        "pending_suggestions": len(c.pending_suggestions),
    }  # fmt: skip


def _run(
    code: str, account: str, source: str | None, year: int | None, as_json: bool,
    step: Callable[[Store, Settings, int, Actor], CaseRecord], done: str,
) -> None:  # fmt: skip
    """Resolve the account and the patch, run one step in one transaction, print the case."""
    s = settings()

    def run() -> CaseRecord:
        with command_store() as store:
            with store.reading() as session:
                who = actor_as(session, account)
                patch_id = int(find_patch(session, code, source=source, year=year).id)
            return step(store, s, patch_id, who)

    c = guarded(as_json, run)
    if as_json:
        emit_json({"case": case_json(c)})
    else:
        waiting = (
            f"；另有 {len(c.pending_suggestions)} 条系统建议的责任追究待确认" if c.pending_suggestions else ""
        )
        err.print(f"图斑 {c.patch_code}：{done}。立案号 {c.fields.case_no}，{c.stage.label}（第 {c.version} 版）{waiting}。",
                  highlight=False)  # fmt: skip


def _date(value: str | None) -> dt.date | None:
    return parse_date(value.strip()) if value is not None else None


@app.command("open")
def open_cmd(
    code: CodeArg,
    number: Annotated[str, typer.Option("--number", help="立案号（必填，不能与其他案件重复）")],
    filed: Annotated[str, typer.Option("--filed", help="立案日期 YYYY-MM-DD")],
    account: AsOpt,
    kind: Annotated[str | None, typer.Option("--kind", help="案件类别：土地 / 矿产（默认按判定）")] = None,
    note: Annotated[str | None, typer.Option("--note", help="备注")] = None,
    source: SourceOpt = None,
    year: YearOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """为判定违法（土地或矿产）且经市局审核通过的图斑立案；违法犯罪、违纪标识生成待确认的责任追究建议。"""

    def step(store: Store, s: Settings, patch_id: int, who: Actor) -> CaseRecord:
        day = _date(filed)
        assert day is not None
        with store.writing() as session:
            return cases.open_case(
                session, patch_id, case_no=number, filed_on=day, kind=kind, note=note, actor=who,
                rules=load_rules(), on=clock.today(), at=clock.now(),
            )  # fmt: skip

    _run(code, account, source, year, as_json, step, "已立案")


def _amount(value: str | None, label: str) -> float | None:
    if value is None:
        return None
    try:
        return float(value.replace(",", "").strip())
    except ValueError:
        raise InputError("case.not_number", field=label, value=value[:40]) from None


@app.command("update")
def update_cmd(
    code: CodeArg,
    account: AsOpt,
    number: Annotated[str | None, typer.Option("--number", help="更正立案号")] = None,
    filed: Annotated[str | None, typer.Option("--filed", help="更正立案日期 YYYY-MM-DD")] = None,
    decision_number: Annotated[str | None, typer.Option("--decision-number", help="处罚决定书文号")] = None,
    decision_date: Annotated[
        str | None, typer.Option("--decision-date", help="处罚决定日期 YYYY-MM-DD")
    ] = None,
    fine: Annotated[str | None, typer.Option("--fine", help="罚款（元）")] = None,
    confiscated: Annotated[
        str | None, typer.Option("--confiscated", help="没收违法所得或财物折价（元）")
    ] = None,
    confiscated_area: Annotated[
        str | None, typer.Option("--confiscated-area", help="没收面积（㎡，不超过违法面积）")
    ] = None,
    confiscation: Annotated[
        str | None, typer.Option("--confiscation", help="没收内容（如地上建筑物）")
    ] = None,
    note: Annotated[str | None, typer.Option("--note", help="备注（空字符串清除）")] = None,
    based_on: BasedOnOpt = None,
    source: SourceOpt = None,
    year: YearOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """登记处罚决定书、罚款、没收等（结案前）；所有日期须满足 立案 ≤ 处罚决定 ≤ 结案。"""

    def step(store: Store, s: Settings, patch_id: int, who: Actor) -> CaseRecord:
        changes: dict[str, Any] = {}
        given = {
            "case_no": number,
            "decision_no": decision_number,
            "confiscation": confiscation,
            "note": note,
        }
        changes.update({k: v for k, v in given.items() if v is not None})
        for key, text in (("filed_on", filed), ("decision_on", decision_date)):
            if text is not None:
                changes[key] = _date(text)
        for key, text, label in (("fine_yuan", fine, "罚款"), ("confiscated_yuan", confiscated, "没收金额"),
                                 ("confiscated_area_m2", confiscated_area, "没收面积")):  # fmt: skip
            if text is not None:
                changes[key] = _amount(text, label)
        with store.writing() as session:
            return cases.update_case(
                session, patch_id, changes=changes, actor=who, rules=load_rules(), on=clock.today(), at=clock.now(),
                based_on=based_on,
            )  # fmt: skip

    _run(code, account, source, year, as_json, step, "案件信息已保存")


@app.command("person")
def person_cmd(
    code: CodeArg,
    account: AsOpt,
    name: Annotated[str | None, typer.Option("--name", help="被追责人员姓名")] = None,
    position: Annotated[str | None, typer.Option("--position", help="单位及职务")] = None,
    outcome: Annotated[
        str | None,
        typer.Option(
            "--outcome",
            help="追究结果：discipline 党纪政务处分 / organisational 组织处理 / judicial 移送司法",
        ),
    ] = None,
    detail: Annotated[
        str | None, typer.Option("--detail", help="处理情况（如 党内警告、移送公安日期）")
    ] = None,
    confirm: Annotated[
        int | None, typer.Option("--confirm", help="确认第 ID 条系统建议（可同时用 --name 填写姓名）")
    ] = None,
    dismiss: Annotated[
        int | None, typer.Option("--dismiss", help="不予追究第 ID 条系统建议（须 --reason）")
    ] = None,
    reason: Annotated[str | None, typer.Option("--reason", help="不予追究的理由")] = None,
    source: SourceOpt = None,
    year: YearOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """登记责任人及追究结果（即为确认）；或确认、不予追究系统根据违纪/犯罪标识提出的建议。"""

    def step(store: Store, s: Settings, patch_id: int, who: Actor) -> CaseRecord:
        with store.writing() as session:
            if confirm is not None and dismiss is None and outcome is None:
                return cases.confirm_person(session, patch_id, confirm, name=name, position=position, detail=detail,
                                            actor=who, at=clock.now())  # fmt: skip
            if dismiss is not None and confirm is None and outcome is None and name is None:
                return cases.dismiss_suggestion(
                    session, patch_id, dismiss, reason=reason or "", actor=who, at=clock.now()
                )
            if confirm is None and dismiss is None and outcome is not None:
                return cases.add_person(
                    session, patch_id, name=name or "", outcome=outcome, position=position, detail=detail, actor=who,
                    rules=load_rules(), on=clock.today(), at=clock.now(),
                )  # fmt: skip
            raise InputError("case.person_or_confirm")

    _run(code, account, source, year, as_json, step, "责任追究已登记")


@app.command("close")
def close_cmd(
    code: CodeArg,
    date: Annotated[str, typer.Option("--date", help="结案日期 YYYY-MM-DD")],
    account: AsOpt,
    based_on: BasedOnOpt = None,
    source: SourceOpt = None,
    year: YearOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """结案（系统建议的责任追究须先逐条确认或不予追究）。"""

    def step(store: Store, s: Settings, patch_id: int, who: Actor) -> CaseRecord:
        day = _date(date)
        assert day is not None
        with store.writing() as session:
            return cases.close_case(session, patch_id, closed_on=day, actor=who, rules=load_rules(), on=clock.today(),
                                    at=clock.now(), based_on=based_on)  # fmt: skip

    _run(code, account, source, year, as_json, step, "已结案")


def _towns(township: str | None) -> frozenset[str] | None:
    return None if township is None else frozenset({township.strip()})


BUREAU = Actor("cli", Role.bureau_admin)  # the CLI reads as the 市局


@app.command("show")
def show_cmd(code: CodeArg, source: SourceOpt = None, year: YearOpt = None, as_json: JsonOpt = False) -> None:
    """显示一个图斑的案件：立案、处罚、罚没、结案和责任追究（含待确认的系统建议）。"""

    def run() -> CaseRecord:
        with command_store() as store, store.reading() as session:
            patch = find_patch(session, code, source=source, year=year)
            c = find_case(session, int(patch.id), BUREAU)
            if c is None:
                raise NotFound("case.no_case", code=patch.patch_code)
            return c

    c = guarded(as_json, run)
    if as_json:
        emit_json(case_json(c))
        return
    f = c.fields
    out.print(
        f"图斑 {c.patch_code}（{c.township_name or c.township_code or '未落乡镇'}）：{CASE_KIND_LABELS[c.kind]}案件 "
        f"{f.case_no}，{c.stage.label}（第 {c.version} 版）\n立案 {f.filed_on}；处罚决定 {f.decision_no or '—'} "
        f"{f.decision_on or ''}；罚款 {f.fine_yuan if f.fine_yuan is not None else '—'} 元，没收 "
        f"{f.confiscated_yuan if f.confiscated_yuan is not None else '—'} 元、"
        f"{f.confiscated_area_m2 if f.confiscated_area_m2 is not None else '—'} ㎡；结案 {f.closed_on or '—'}",
        highlight=False,
    )  # fmt: skip
    t = Table(title="责任追究")
    for col in ("ID", "姓名", "单位及职务", "结果", "情况", "状态"):
        t.add_column(col)
    for p in c.persons:
        status = f"已确认（{p.confirmed_by}）" if p.confirmed else "系统建议，待确认"
        t.add_row(
            str(p.id), p.name or "（待填写）", p.position or "", p.outcome.label, p.detail or "", status
        )
    out.print(t)


@app.command("list")
def list_cmd(
    township: Annotated[str | None, typer.Option("--township", help="只列该乡镇（代码）")] = None,
    mineral: Annotated[bool, typer.Option("--mineral", help="只列矿产案件")] = False,
    open_only: Annotated[bool, typer.Option("--open", help="只列未结案的案件")] = False,
    as_json: JsonOpt = False,
) -> None:
    """列出案件（最新立案在前）。"""

    def run() -> list[CaseRecord]:
        with command_store() as store, store.reading() as session:
            kind = CaseKind.mineral if mineral else None
            return list_cases(session, townships=_towns(township), kind=kind, open_only=open_only, limit=None)

    items = guarded(as_json, run)
    if as_json:
        emit_json({"cases": [case_json(c) for c in items], "count": len(items)})
        return
    t = Table(title=f"立案查处（{len(items)} 件）")
    for col in ("监测编号", "类别", "立案号", "立案日期", "状态", "罚款（元）", "责任追究"):
        t.add_column(col)
    for c in items:
        t.add_row(c.patch_code, CASE_KIND_LABELS[c.kind], c.fields.case_no, str(c.fields.filed_on), c.stage.label,
                  "" if c.fields.fine_yuan is None else f"{c.fields.fine_yuan:.2f}",
                  f"{len(c.confirmed_persons)} 人" + (f"（{len(c.pending_suggestions)} 条待确认）"
                                                      if c.pending_suggestions else ""))  # fmt: skip
    out.print(t)


@app.command("export")
def export_cmd(
    path: Annotated[Path, typer.Argument(help="输出文件 .xlsx")],
    mineral: Annotated[
        bool,
        typer.Option("--mineral", help="导出矿产执法台账（矿产违法图斑，含许可证、矿种、判定、处理方式）"),
    ] = False,
    township: Annotated[str | None, typer.Option("--township", help="只导出该乡镇（代码）")] = None,
    as_json: JsonOpt = False,
) -> None:
    """导出立案查处台账（或 --mineral 矿产执法台账）为 Excel；涉军图斑不导出。"""

    def run() -> int:
        if path.suffix.lower() != ".xlsx":
            raise InputError("export.format", format=path.suffix or "（无扩展名）", formats=".xlsx")
        with command_store() as store, store.reading() as session:
            if mineral:
                return export_mineral(session, path, load_rules(), within=_towns(township), on=clock.today())
            return export_register(session, path, within=_towns(township), on=clock.today())

    n = guarded(as_json, run)
    if as_json:
        emit_json({"path": path, "rows": n, "ledger": "mineral" if mineral else "cases"})
    else:
        err.print(f"已导出 {n} 行{'矿产执法台账' if mineral else '立案查处台账'}到 {path}。", highlight=False)
