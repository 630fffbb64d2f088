"""``weipian referrals``: 抄告 and 移交 of patches to other departments, and their feedback.

The actor is a web account (``--as USER``): its role decides what it may do and, for a
部门联络员, which department it answers for.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import typer
from rich.table import Table

from weipian.cli.context import command_store
from weipian.cli.output import emit_json, err, guarded, out
from weipian.domain import clock
from weipian.domain.referrals import ReferralKind, departments
from weipian.services.referrals import (
    FeedbackEntry,
    Referral,
    feedback_entries,
    get_referral,
    give_feedback,
    list_referrals,
    non_grain_worklist,
    refer,
)
from weipian.services.users import account_by_name
from weipian.storage.workflow import find_patch

JsonOpt = Annotated[bool, typer.Option("--json", help="以一个 JSON 对象输出结果")]
AsOpt = Annotated[str, typer.Option("--as", help="以哪个网页账号的身份操作（登录名；角色和部门取自账号）")]

app = typer.Typer(
    help="移送与抄告：把图斑抄告或移交相关部门，登记部门反馈（反馈期限为移送之日起 2 个月）。",
    no_args_is_help=True,
)


def referral_json(r: Referral, today: dt.date) -> dict[str, Any]:
    return {
        "id": r.id,
        "JCBH": r.patch_code,
        "patch_id": r.patch_id,
        "township": r.township_code,
        "kind": r.kind.value,
        "department": r.department,
        "matter": r.matter,
        "referred_by": r.referred_by,
        "referred_at": r.referred_at,
        "due_on": r.due_on,
        "status": r.status(today).value,
        "days_left": r.days_left(today),
        "restricted": r.restricted,
        "feedback": r.feedback,
        "feedback_by": r.feedback_by,
        "feedback_at": r.feedback_at,
    }


@app.command("add")
def add_cmd(
    code: Annotated[str, typer.Argument(help="监测编号（JCBH）")],
    department: Annotated[
        str, typer.Option("--department", help="接收部门（见 weipian referrals departments）")
    ],
    matter: Annotated[str, typer.Option("--matter", help="事项：发现的问题和请对方办理的内容")],
    actor: AsOpt,
    kind: Annotated[
        ReferralKind, typer.Option("--kind", help="referral 抄告（默认）或 transfer 移交")
    ] = ReferralKind.referral,
    source: Annotated[str | None, typer.Option("--source", help="监测编号重复时指明来源")] = None,
    year: Annotated[int | None, typer.Option("--year", help="监测编号重复时指明年度")] = None,
    as_json: JsonOpt = False,
) -> None:
    """把一个图斑抄告或移交相关部门（市局管理员、市局审核员；乡镇核查员限本乡镇图斑）。"""

    def run() -> Referral:
        with command_store() as store:
            with store.reading() as session:
                account = account_by_name(session, actor)
                patch_id = find_patch(session, code, source=source, year=year).id
            return refer(
                store,
                patch_id,
                kind=kind,
                department=department,
                matter=matter,
                actor=account,
                today=clock.today(),
                now=clock.now(),
            )

    r = guarded(as_json, run)
    if as_json:
        emit_json({"referral": referral_json(r, clock.today())})
    else:
        err.print(
            f"已{r.kind.label}图斑 {r.patch_code} 至{r.department_full_name}（第 {r.id} 号），"
            f"反馈期限 {r.due_on}。",
            highlight=False,
        )


@app.command("list")
def list_cmd(
    overdue: Annotated[bool, typer.Option("--overdue", help="只列逾期未反馈的")] = False,
    open_only: Annotated[bool, typer.Option("--open", help="只列尚未反馈的（含逾期）")] = False,
    department: Annotated[str | None, typer.Option("--department", help="只列该部门的")] = None,
    as_json: JsonOpt = False,
) -> None:
    """列出抄告和移交（未办结的一直保留在列表中，逾期的标为逾期，直到办结）。"""
    on = clock.today()
    status = "overdue" if overdue else "open" if open_only else None

    def run() -> list[Referral]:
        with command_store() as store, store.reading() as session:
            return list_referrals(session, today=on, status=status, department=department, limit=None)

    items = guarded(as_json, run)
    if as_json:
        emit_json({"referrals": [referral_json(r, on) for r in items]})
        return
    t = Table(title=f"抄告与移交（{len(items)} 件）")
    for col in ("编号", "监测编号", "方式", "接收部门", "移送日期", "反馈期限", "状态", "反馈"):
        t.add_column(col)
    for r in items:
        st = r.status(on)
        state = st.label + (f" {-r.days_left(on)} 天" if st.value == "overdue" else "")
        t.add_row(str(r.id), r.patch_code, r.kind.label, r.department, str(r.referred_at)[:10],
                  str(r.due_on), state, (r.feedback or "")[:40])  # fmt: skip
    out.print(t)


def _feedback(referral_id: int, text: str, actor: str, stage: str, result: str | None, as_json: bool) -> None:

    def run() -> tuple[Referral, list[FeedbackEntry]]:
        with command_store() as store:
            with store.reading() as session:
                account = account_by_name(session, actor)
            r = give_feedback(
                store, referral_id, text=text, actor=account, now=clock.now(), stage=stage, result=result
            )
            with store.reading() as session:
                return r, feedback_entries(session, r.id)

    r, entries = guarded(as_json, run)
    if as_json:
        emit_json(
            {"referral": {**referral_json(r, clock.today()), "entries": [entry_json(e) for e in entries]}}
        )
    else:
        err.print(
            f"已登记第 {r.id} 号（图斑 {r.patch_code}）的反馈：{entries[-1].stage.label}。"
            + ("已办结。" if r.feedback_at else "办结前仍按期限催办。"),
            highlight=False,
        )


def entry_json(e: FeedbackEntry) -> dict[str, Any]:
    return {"stage": e.stage.value, "stage_label": e.stage.label, "text": e.text, "result": e.result,
            "by": e.given_by, "at": e.given_at}  # fmt: skip


@app.command("feedback")
def feedback_cmd(
    referral_id: Annotated[int, typer.Argument(help="抄告或移交的编号（见 weipian referrals list）")],
    text: Annotated[str, typer.Option("--text", help="反馈内容（办理情况）")],
    actor: AsOpt,
    stage: Annotated[
        str, typer.Option("--stage", help="反馈阶段：接收、受理、办理中、办结（默认办结）")
    ] = "办结",
    result: Annotated[str | None, typer.Option("--result", help="办理结果（办结时填写）")] = None,
    as_json: JsonOpt = False,
) -> None:
    """登记部门反馈（限该部门的部门联络员或市局管理员）：可多次填写 受理、办理中，办结后结束催办。"""
    _feedback(referral_id, text, actor, stage, result, as_json)


@app.command("receive")
def receive_cmd(
    referral_id: Annotated[int, typer.Argument(help="抄告或移交的编号")],
    actor: AsOpt,
    text: Annotated[str, typer.Option("--text", help="接收说明，如接收函文号")] = "已接收",
    as_json: JsonOpt = False,
) -> None:
    """登记接收部门已接收（接收函）；与 feedback --stage 接收 相同。"""
    _feedback(referral_id, text, actor, "接收", None, as_json)


@app.command("show")
def show_cmd(
    referral_id: Annotated[int, typer.Argument(help="抄告或移交的编号")],
    as_json: JsonOpt = False,
) -> None:
    """显示一件抄告或移交及其全部反馈（接收、受理、办理中、办结）。"""

    def run() -> tuple[Referral, list[FeedbackEntry]]:
        with command_store() as store, store.reading() as session:
            r = get_referral(session, referral_id)
            return r, feedback_entries(session, referral_id)

    r, entries = guarded(as_json, run)
    if as_json:
        emit_json(
            {"referral": {**referral_json(r, clock.today()), "entries": [entry_json(e) for e in entries]}}
        )
        return
    out.print(f"第 {r.id} 号：{r.kind.label}图斑 {r.patch_code} 至{r.department}，反馈期限 {r.due_on}，"
              f"{r.status(clock.today()).label}", highlight=False)  # fmt: skip
    for e in entries:
        out.print(f"  {str(e.given_at)[:16]} {e.stage.label}（{e.given_by}）：{e.text}", highlight=False)


@app.command("non-grain")
def non_grain_cmd(
    township: Annotated[str | None, typer.Option("--township", help="只列该乡镇（9 位代码）")] = None,
    as_json: JsonOpt = False,
) -> None:
    """非粮化待移交清单：预判为非粮化、尚未移交农业农村部门的图斑。"""

    def run() -> list[dict[str, Any]]:
        with command_store() as store, store.reading() as session:
            return non_grain_worklist(session, township=township)

    items = guarded(as_json, run)
    if as_json:
        emit_json({"patches": items})
        return
    t = Table(title=f"非粮化待移交（{len(items)} 个）")
    for col in ("监测编号", "乡镇", "面积（㎡）", "状态"):
        t.add_column(col)
    for i in items:
        t.add_row(i["JCBH"], i["township"] or "", f"{i['area_m2']:.2f}", i["state"])
    out.print(t)


@app.command("departments")
def departments_cmd(as_json: JsonOpt = False) -> None:
    """列出可接收抄告、移交的部门（名录为数据文件 departments.yaml）。"""
    items = departments()
    if as_json:
        emit_json({"departments": [
            {"name": d.name, "full_name": d.full_name, "kinds": sorted(k.value for k in d.kinds),
             "internal": d.internal, "aliases": list(d.aliases)}
            for d in items
        ]})  # fmt: skip
        return
    t = Table(title=f"接收部门（{len(items)} 个）")
    for col in ("部门", "全称", "可接收", "局内"):
        t.add_column(col)
    for d in items:
        kinds = "、".join(k.label for k in ReferralKind if d.takes(k))
        t.add_row(d.name, d.full_name, kinds, "是" if d.internal else "")
    out.print(t)
