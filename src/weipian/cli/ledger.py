"""``weipian rectify``: the rectification ledger (查处整改台账) and 销号, one patch at a time.

The actor is an account (``--as ACCOUNT``): a township account acts on its own township's
records; approving, returning and reopening 销号 is for the 市局 (reviewer or admin).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from weipian.cli.context import command_store, settings
from weipian.cli.intake import parse_date
from weipian.cli.output import emit_json, err, guarded, out
from weipian.config import Settings, files_dir
from weipian.domain import clock
from weipian.domain.ledger import METHOD_LABELS
from weipian.domain.roles import Actor, Role
from weipian.errors import InputError, NotFound
from weipian.rules import load_rules
from weipian.services import ledger
from weipian.services.ledger_records import LedgerRecord, find_record, history
from weipian.services.ledger_sheet import export_ledger, import_ledger
from weipian.services.users import account_by_name
from weipian.storage.store import Store
from weipian.storage.workflow import find_patch

JsonOpt = Annotated[bool, typer.Option("--json", help="以一个 JSON 对象输出结果")]
AsOpt = Annotated[str, typer.Option("--as", help="以哪个账号的身份操作（登录名；角色和乡镇取自账号）")]
CodeArg = Annotated[str, typer.Argument(help="监测编号 JCBH")]
SourceOpt = Annotated[str | None, typer.Option("--source", help="来源（监测编号重复时指明）")]
YearOpt = Annotated[int | None, typer.Option("--year", help="年度（监测编号重复时指明）")]
AreaOpt = Annotated[float | None, typer.Option(help="面积（㎡），截至目前的累计数")]

app = typer.Typer(
    help="查处整改台账与销号：建立台账、填写整改进展、申请销号；市局审核销号、重新打开。",
    no_args_is_help=True,
)


def record_json(r: LedgerRecord, on: Any) -> dict[str, Any]:
    """INTERFACE.md's ``rectify show`` keys, and the rest of the record."""
    return {
        "JCBH": r.patch_code,
        "source": r.source,
        "year": r.year,
        "township": r.township_code,
        "state": r.state.value,
        "state_label": r.state.label,
        "patch_state": r.patch_state,
        "responsible_unit": r.responsible_unit,
        "responsible": r.responsible_person,
        "measures": list(r.measures),
        "deadline": r.deadline,
        "days_left": r.days_left(on),
        "overdue": r.overdue(on),
        "illegal_area_m2": r.illegal_area_m2,
        "illegal_farmland_m2": r.illegal_farmland_m2,
        "rectified_area_m2": r.rectified_area_m2,
        "unrectified_area_m2": r.remaining_m2,
        "demolished_area_m2": r.areas.demolished,
        "demolished_farmland_area_m2": r.areas.demolished_farmland,
        "regularised_area_m2": r.areas.regularised,
        "regularised_farmland_area_m2": r.areas.regularised_farmland,
        "method": r.method.value,
        "method_label": METHOD_LABELS[r.method],
        "major_case": r.major_case,
        "opened_by": r.opened_by,
        "opened_at": r.opened_at,
        "closed_on": r.closed_on,
    }


def _files(paths: list[Path]) -> list[tuple[str, bytes]]:
    out_ = []
    for p in paths:
        if not p.is_file():
            raise InputError("package.not_found", path=str(p))
        out_.append((p.name, p.read_bytes()))
    return out_


def _run(
    code: str, account: str, source: str | None, year: int | None, as_json: bool,
    step: Callable[[Store, Settings, int, Any], LedgerRecord], done: str,
) -> None:  # fmt: skip
    """Resolve the account and the patch, run one step, print the record."""
    s = settings()

    def run() -> LedgerRecord:
        with command_store() as store:
            with store.reading() as session:
                who = account_by_name(session, account).actor
                patch_id = find_patch(session, code, source=source, year=year).id
            return step(store, s, patch_id, who)

    r = guarded(as_json, run)
    if as_json:
        emit_json({"record": record_json(r, clock.today())})
    else:
        err.print(
            f"图斑 {r.patch_code}：{done}。台账状态：{r.state.label}；违法面积 {r.illegal_area_m2:.2f} ㎡，"
            f"已整改 {r.rectified_area_m2:.2f} ㎡，未整改 {r.remaining_m2:.2f} ㎡。",
            highlight=False,
        )


@app.command("open")
def open_cmd(
    code: CodeArg,
    responsible: Annotated[str, typer.Option("--responsible", help="整改责任人")],
    measures: Annotated[str, typer.Option("--measures", help="整改措施，多项用逗号分隔，如 拆除复耕,罚款")],
    deadline: Annotated[str, typer.Option("--deadline", help="整改时限 YYYY-MM-DD")],
    account: AsOpt,
    unit: Annotated[str | None, typer.Option("--unit", help="责任单位代码（默认图斑所在乡镇）")] = None,
    major: Annotated[bool, typer.Option("--major", help="标记为重大典型问题")] = False,
    source: SourceOpt = None,
    year: YearOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """为违法图斑建立整改台账（责任人、措施、时限），图斑转入整改中。"""

    def step(store: Store, s: Settings, patch_id: int, who: Any) -> LedgerRecord:
        due = parse_date(deadline)
        assert due is not None
        items = [m for m in measures.replace("，", ",").replace("、", ",").split(",")]
        with store.writing() as session:
            return ledger.open_record(
                session, patch_id, responsible=responsible, measures=items, deadline=due, actor=who,
                rules=load_rules(), on=clock.today(), at=clock.now(), unit=unit, major_case=major,
            )  # fmt: skip

    _run(code, account, source, year, as_json, step, "已建立整改台账")


@app.command("update")
def update_cmd(
    code: CodeArg,
    account: AsOpt,
    responsible: Annotated[str | None, typer.Option("--responsible", help="新的整改责任人")] = None,
    measures: Annotated[str | None, typer.Option("--measures", help="新的整改措施，逗号分隔")] = None,
    deadline: Annotated[str | None, typer.Option("--deadline", help="新的整改时限 YYYY-MM-DD")] = None,
    major: Annotated[bool | None, typer.Option("--major/--not-major", help="重大典型问题标记")] = None,
    source: SourceOpt = None,
    year: YearOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """修改整改计划（责任人、措施、时限、重大典型问题标记），原值保留在操作记录中。"""

    def step(store: Store, s: Settings, patch_id: int, who: Any) -> LedgerRecord:
        items = None if measures is None else measures.replace("，", ",").replace("、", ",").split(",")
        with store.writing() as session:
            return ledger.update_plan(
                session, patch_id, actor=who, rules=load_rules(), on=clock.today(), at=clock.now(),
                responsible=responsible, measures=items, deadline=parse_date(deadline), major_case=major,
            )  # fmt: skip

    _run(code, account, source, year, as_json, step, "整改计划已修改")


@app.command("progress")
def progress_cmd(
    code: CodeArg,
    account: AsOpt,
    demolished: Annotated[
        float | None, typer.Option("--demolished-area", help="拆除面积（㎡，累计）")
    ] = None,
    demolished_farmland: Annotated[
        float | None, typer.Option("--demolished-farmland-area", help="其中拆除耕地面积（㎡，累计）")
    ] = None,
    regularised: Annotated[
        float | None, typer.Option("--regularised-area", help="补办手续面积（㎡，累计）")
    ] = None,
    regularised_farmland: Annotated[
        float | None, typer.Option("--regularised-farmland-area", help="其中补办耕地面积（㎡，累计）")
    ] = None,
    note: Annotated[str | None, typer.Option("--note", help="进展情况")] = None,
    photo: Annotated[list[Path] | None, typer.Option("--photo", help="整改现场照片，可多次")] = None,
    source: SourceOpt = None,
    year: YearOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """填写一次整改进展；面积为截至目前的累计数（不是本次增量），每次保存都核对面积关系。"""

    def step(store: Store, s: Settings, patch_id: int, who: Any) -> LedgerRecord:
        return ledger.record_progress(
            store, files_dir(s), patch_id,
            areas=ledger.AreaInput(demolished, demolished_farmland, regularised, regularised_farmland),
            note=note, photos=_files(list(photo or [])), actor=who, on=clock.today(), at=clock.now(),
            max_bytes=s.upload_max_mb * 2**20, max_distance_m=s.photo_max_distance_m,
        )  # fmt: skip

    _run(code, account, source, year, as_json, step, "整改进展已保存")


@app.command("close")
def close_cmd(
    code: CodeArg,
    account: AsOpt,
    evidence: Annotated[
        list[Path] | None,
        typer.Option("--evidence", help="违法状态已消除的佐证：整改后照片、文书（PDF），可多次"),
    ] = None,
    note: Annotated[str | None, typer.Option("--note", help="销号说明")] = None,
    source: SourceOpt = None,
    year: YearOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """申请销号：须已全部整改（未整改面积为 0）并附佐证材料，由市局审核。"""

    def step(store: Store, s: Settings, patch_id: int, who: Any) -> LedgerRecord:
        return ledger.request_close_out(
            store, files_dir(s), patch_id, evidence=_files(list(evidence or [])), note=note, actor=who,
            at=clock.now(), max_bytes=s.upload_max_mb * 2**20, max_distance_m=s.photo_max_distance_m,
        )  # fmt: skip

    _run(code, account, source, year, as_json, step, "已申请销号，等待市局审核")


def _decide(approve: bool) -> Callable[..., None]:
    def command(
        code: CodeArg,
        account: AsOpt,
        reason: Annotated[
            str | None, typer.Option("--reason", help="原因代码（见 weipian rectify reasons）；退回必填")
        ] = None,
        note: Annotated[str | None, typer.Option("--note", help="审核意见")] = None,
        source: SourceOpt = None,
        year: YearOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        def step(store: Store, s: Settings, patch_id: int, who: Any) -> LedgerRecord:
            with store.writing() as session:
                return ledger.decide_close_out(
                    session, patch_id, approve=approve, reason=reason, note=note, actor=who, rules=load_rules(),
                    on=clock.today(), at=clock.now(),
                )  # fmt: skip

        _run(code, account, source, year, as_json, step, "已同意销号" if approve else "销号申请已退回")

    command.__doc__ = (
        "市局同意销号：图斑转为已销号（限市局审核员、市局管理员）。"
        if approve
        else "市局退回销号申请，须给出退回原因代码（限市局审核员、市局管理员）。"
    )
    return command


app.command("approve")(_decide(True))
app.command("return")(_decide(False))


@app.command("reopen")
def reopen_cmd(
    code: CodeArg,
    reason: Annotated[str, typer.Option("--reason", help="重新打开的原因")],
    account: AsOpt,
    source: SourceOpt = None,
    year: YearOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """重新打开已销号的记录（限市局），原因记入操作记录，图斑回到整改中。"""

    def step(store: Store, s: Settings, patch_id: int, who: Any) -> LedgerRecord:
        with store.writing() as session:
            return ledger.reopen(session, patch_id, reason=reason, actor=who, at=clock.now())

    _run(code, account, source, year, as_json, step, "已重新打开")


@app.command("show")
def show_cmd(code: CodeArg, source: SourceOpt = None, year: YearOpt = None, as_json: JsonOpt = False) -> None:
    """显示一个图斑的整改台账：责任、措施、时限、面积、进展和销号申请。"""
    on = clock.today()

    def run() -> dict[str, Any]:
        with command_store() as store, store.reading() as session:
            patch = find_patch(session, code, source=source, year=year)
            r = ledger_record(session, patch.id, patch.patch_code)
            entries, requests = history(session, r)
        return {
            "record": r,
            "progress": [
                {"id": e.id, "on": e.on_date, "note": e.note, "demolished_area_m2": e.areas.demolished,
                 "demolished_farmland_area_m2": e.areas.demolished_farmland,
                 "regularised_area_m2": e.areas.regularised,
                 "regularised_farmland_area_m2": e.areas.regularised_farmland,
                 "unrectified_area_m2": e.remaining_m2, "by": e.created_by, "at": e.created_at,
                 "photos": [{"id": p.id, "name": p.original_name, "failed_checks": p.failed} for p in e.photos]}
                for e in entries
            ],
            "close_out_requests": [
                {"id": c.id, "by": c.requested_by, "at": c.requested_at, "note": c.note,
                 "decision": c.decision.value if c.decision else None, "reason": c.reason_code,
                 "decided_by": c.decided_by, "decided_at": c.decided_at,
                 "files": [{"id": f.id, "name": f.original_name, "kind": f.kind} for f in c.files]}
                for c in requests
            ],
        }  # fmt: skip

    result = guarded(as_json, run)
    r: LedgerRecord = result.pop("record")
    if as_json:
        emit_json({**record_json(r, on), **result})
        return
    out.print(
        f"图斑 {r.patch_code}（{r.township_name or r.township_code or '未落乡镇'}）：{r.state.label}\n"
        f"责任单位 {r.responsible_unit}，责任人 {r.responsible_person}，措施 {'、'.join(r.measures)}，"
        f"时限 {r.deadline}（{'已逾期' if r.overdue(on) else f'剩余 {r.days_left(on)} 天'}）\n"
        f"违法面积 {r.illegal_area_m2:.2f} ㎡：拆除 {r.areas.demolished:.2f}，补办 {r.areas.regularised:.2f}，"
        f"未整改 {r.remaining_m2:.2f}；整改方式 {METHOD_LABELS[r.method]}",
        highlight=False,
    )
    t = Table(title="整改进展")
    for col in ("日期", "拆除", "补办", "未整改", "情况", "填报人", "照片"):
        t.add_column(col)
    for e in result["progress"]:
        t.add_row(str(e["on"]), f"{e['demolished_area_m2']:.2f}", f"{e['regularised_area_m2']:.2f}",
                  f"{e['unrectified_area_m2']:.2f}", e["note"] or "", e["by"], str(len(e["photos"])))  # fmt: skip
    out.print(t)


def ledger_record(session: Any, patch_id: int, code: str) -> LedgerRecord:
    """The patch's record, or the ledger's "no record" refusal (the CLI reads as the 市局)."""
    r = find_record(session, patch_id, Actor("cli", Role.bureau_admin))
    if r is None:
        raise NotFound("ledger.no_record", code=code)
    return r


@app.command("reasons")
def reasons_cmd(as_json: JsonOpt = False) -> None:
    """列出销号审核原因代码和整改措施字典（规则数据）。"""
    rules = load_rules()
    reasons = rules.close_out_reasons(clock.today())
    measures = rules.labels("rectification_measure", clock.today())
    if as_json:
        emit_json({"reasons": [{"code": r.code, "outcome": r.outcome, "label": r.label} for r in reasons],
                   "measures": measures})  # fmt: skip
        return
    t = Table(title="销号审核原因")
    for col in ("代码", "结果", "说明"):
        t.add_column(col)
    for r in reasons:
        t.add_row(r.code, "通过" if r.outcome == "pass" else "退回", r.label)
    out.print(t)
    out.print("整改措施：" + "、".join(measures), highlight=False)


sheet_app = typer.Typer(
    help="整改台账 Excel：导出给单位离线填写，导入填好的表格（有一行不合格则全部不写入）。",
    no_args_is_help=True,
)


@sheet_app.command("export")
def sheet_export_cmd(
    path: Annotated[Path, typer.Argument(help="输出文件 .xlsx")],
    unit: Annotated[
        str | None, typer.Option("--unit", help="只导出该单位（代码）：其负责的及其所辖乡镇的台账")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """导出整改台账（每条记录一行，黄色列为填写列）。"""

    def run() -> int:
        with command_store() as store, store.reading() as session:
            return export_ledger(session, path, unit=unit, on=clock.today())

    n = guarded(as_json, run)
    if as_json:
        emit_json({"path": path, "rows": n})
    else:
        err.print(f"已导出 {n} 条整改台账记录到 {path}。", highlight=False)


@sheet_app.command("import")
def sheet_import_cmd(
    path: Annotated[Path, typer.Argument(help="填好的整改台账 .xlsx")],
    account: AsOpt,
    as_json: JsonOpt = False,
) -> None:
    """导入填好的整改台账：空行跳过；每一行按网页表单同样的规则核对，有一行不合格则全部不写入。"""
    s = settings()

    def run() -> int:
        if not path.is_file():
            raise InputError("package.not_found", path=str(path))
        with command_store() as store:
            with store.reading() as session:
                who = account_by_name(session, account).actor
            return import_ledger(
                store, files_dir(s), path, actor=who, rules=load_rules(), on=clock.today(), at=clock.now()
            )

    n = guarded(as_json, run)
    if as_json:
        emit_json({"path": path, "rows": n})
    else:
        err.print(f"已导入 {n} 行整改台账。", highlight=False)
