"""Workflow commands: ``judge``, ``determine``, ``submit``, ``review``, ``report``, ``history``."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import typer
from rich.table import Table

from weipian.cli.actor import AsOpt, actor_as
from weipian.cli.context import open_store, settings
from weipian.cli.intake import parse_date
from weipian.cli.output import emit_json, guarded, out, progress_bar
from weipian.domain import clock
from weipian.domain.clock import BEIJING
from weipian.domain.roles import ROLE_LABELS, Role
from weipian.domain.workflow import ACTION_LABELS, STATE_LABELS, Action, State
from weipian.errors import InputError
from weipian.messages import message, trace_text
from weipian.rules import ApprovalClaim, Determination, load_rules
from weipian.services import workflow
from weipian.services.deadlines import effective_due, return_deadline
from weipian.services.evidence import submission_gaps
from weipian.services.judge import JudgeSummary, judge_patches, stored_suggestion
from weipian.stats.deadlines import days_left
from weipian.storage.workflow import current_determination, find_patch, patch_events

JsonOpt = Annotated[bool, typer.Option("--json", help="以一个 JSON 对象输出结果")]
SourceOpt = Annotated[str | None, typer.Option("--source", help="来源（监测编号重复时指明）")]
YearOpt = Annotated[int | None, typer.Option("--year", help="年度（监测编号重复时指明）")]


def judge_command(
    batch: Annotated[str | None, typer.Option("--batch", help="只预判该批次")] = None,
    on: Annotated[
        str | None,
        typer.Option("--on", help="按该日有效的规则预判 YYYY-MM-DD（默认按各批次的下发日期）"),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """规则预判：对已内业比对的图斑给出建议结论及理由（仅供参考，须人工判定）。"""

    def run() -> JudgeSummary:
        s = settings()
        store = open_store(s)
        rules = load_rules().for_region(s.rural_road_region)
        with progress_bar() as progress:
            return judge_patches(store, rules, on=parse_date(on), batch=batch, progress=progress)

    s = guarded(as_json, run)
    if as_json:
        emit_json({"judged": s.judged, "not_analysed": s.not_analysed, "rules_version": s.rules_version,
                   "rules_dates": sorted(s.rules_dates), "verdicts": s.verdicts, "flags": s.flags})  # fmt: skip
        return
    out.print(
        f"已预判 {s.judged} 个图斑（规则版本 {s.rules_version}，按 {'、'.join(sorted(s.rules_dates)) or '-'} 有效的规则）；"
        f"未内业比对 {s.not_analysed} 个。",
        highlight=False,
    )
    for verdict, n in sorted(s.verdicts.items(), key=lambda kv: -kv[1]):
        out.print(f"  {verdict}：{n}", highlight=False)


def _approvals(values: list[str]) -> tuple[ApprovalClaim, ...]:
    claims = []
    for v in values:
        parts = v.split(":")
        if len(parts) != 3:
            raise typer.BadParameter(
                f"批文应写作 途径:文号:占比，例如 用地审批:闽政地〔2021〕1号:85（收到 {v}）"
            )
        claims.append(ApprovalClaim(route=parts[0], doc_no=parts[1], ratio_pct=float(parts[2])))
    return tuple(claims)


# Optimistic concurrency: the version the user looked at (weipian history shows it); a newer
# version saved meanwhile by someone else refuses the command (exit 1).
BasedOnOpt = Annotated[
    int | None,
    typer.Option(
        "--based-on", min=0, help="所依据的判定版本号（尚无判定为 0）；期间他人已修改则拒绝，退出码 1"
    ),
]


ConfirmGapsOpt = Annotated[
    bool,
    typer.Option(
        "--confirm-gaps",
        help="现场照片不足或核验未通过时，确认知晓并仍要提交（记入操作记录）；否则不提交，退出码 1",
    ),
]


def _submit(session: Any, patch: Any, who: Any, *, confirm: bool, version: int | None = None,
            verdict: str | None = None) -> list[dict[str, Any]]:  # fmt: skip
    """Submit as the web does: the photo problems (rule data ``photos_required``, failed checks)
    refuse the submission unless confirmed; a confirmed submission's event keeps them."""
    gaps = submission_gaps(session, patch.id, load_rules(), clock.today(), verdict)
    try:
        workflow.submit(session, patch, actor=who, version=version, evidence_gaps=gaps, acknowledged=confirm)
    except InputError as exc:
        if exc.code != "evidence.gap.unconfirmed":
            raise
        raise InputError("evidence.gap.unconfirmed_cli", code=patch.patch_code, gaps=_gap_text(gaps)) from exc
    return gaps


def _gap_text(gaps: list[dict[str, Any]]) -> str:
    return "".join(message(g["code"], **g["params"]) for g in gaps)


def determine_command(
    code: Annotated[str, typer.Argument(help="监测编号 JCBH")],
    verdict: Annotated[
        str, typer.Option("--verdict", help="判定结果 PDJG，如 合法/违法/其他/农村道路/设施农用地/伪变化")
    ],
    subtype: Annotated[
        str | None, typer.Option("--subtype", help="细化类型（合法途径、其他子类、非农违法分组等）")
    ] = None,
    opinion: Annotated[str | None, typer.Option("--opinion", help="核实认定意见")] = None,
    violation_type: Annotated[str | None, typer.Option("--violation-type", help="违法类型 WFLX")] = None,
    illegal_area: Annotated[float | None, typer.Option("--illegal-area", help="违法面积（㎡）")] = None,
    farmland_area: Annotated[float | None, typer.Option("--farmland-area", help="占耕地面积（㎡）")] = None,
    basic_farmland_area: Annotated[
        float | None, typer.Option("--basic-farmland-area", help="占永久基本农田面积（㎡）")
    ] = None,
    approval: Annotated[
        list[str] | None,
        typer.Option("--approval", help="批文 途径:文号:占比%（途径如 用地审批、土地供应），可多次"),
    ] = None,
    is_new: Annotated[bool | None, typer.Option("--new/--stock", help="新增 / 存量")] = None,
    project_name: Annotated[str | None, typer.Option("--project", help="项目名称")] = None,
    project_owner: Annotated[str | None, typer.Option("--owner", help="项目主体")] = None,
    build_date: Annotated[str | None, typer.Option("--build-date", help="建设时间 YYYY-MM-DD")] = None,
    description: Annotated[str | None, typer.Option("--description", help="实地情况描述")] = None,
    mining: Annotated[bool, typer.Option("--mining", help="涉矿（须给出矿产判定）")] = False,
    mineral_verdict: Annotated[str | None, typer.Option("--mineral-verdict", help="矿产判定")] = None,
    mineral_handling: Annotated[str | None, typer.Option("--mineral-handling", help="矿产处理方式")] = None,
    housing_class: Annotated[
        str | None, typer.Option("--housing-class", help="乱占耕地建房类别（给出即标记为乱占耕地建房）")
    ] = None,
    submit: Annotated[bool, typer.Option("--submit", help="保存后立即提交审核")] = False,
    confirm_gaps: ConfirmGapsOpt = False,
    correct: Annotated[
        str | None, typer.Option("--correct", help="上报后更正：给出更正原因（新版本，原值保留在操作记录中）")
    ] = None,
    based_on: BasedOnOpt = None,
    source: SourceOpt = None,
    year: YearOpt = None,
    as_account: AsOpt = "",
    as_json: JsonOpt = False,
) -> None:
    """保存（并可提交）一个图斑的合法性判定；不符合规则的判定被拒绝，不写入。"""

    def run() -> dict[str, Any]:
        det = Determination(
            verdict=verdict, subtype=subtype, opinion=opinion, project_name=project_name,
            project_owner=project_owner, build_date=parse_date(build_date), field_description=description,
            approvals=_approvals(approval or []), violation_type=violation_type, illegal_area_m2=illegal_area,
            farmland_area_m2=farmland_area, basic_farmland_area_m2=basic_farmland_area, is_new=is_new,
            is_mining=mining, mineral_verdict=mineral_verdict, mineral_handling=mineral_handling,
            farmland_housing=housing_class is not None, farmland_housing_class=housing_class,
        )  # fmt: skip
        store = open_store(settings())
        with store.writing() as session:
            who = actor_as(session, as_account)
            patch = find_patch(session, code, source=source, year=year)
            if correct is not None:  # an explicit correction after 上报
                version = workflow.correct(
                    session,
                    patch,
                    det,
                    reason=_reason(correct),
                    actor=who,
                    rules=load_rules(),
                    on=clock.today(),
                )
            else:
                version = workflow.save_determination(
                    session, patch, det, actor=who, rules=load_rules(), on=clock.today(), based_on=based_on
                )
            gaps: list[dict[str, Any]] = []
            if submit:
                patch = find_patch(session, code, source=source, year=year)
                gaps = _submit(session, patch, who, confirm=confirm_gaps, verdict=verdict)
            state = find_patch(session, code, source=source, year=year).state
        return {"JCBH": code, "version": version, "state": state, "evidence_gaps": gaps}

    result = guarded(as_json, run)
    if as_json:
        emit_json(result)
    else:
        out.print(
            f"图斑 {code} 判定已保存（第 {result['version']} 版），当前状态：{STATE_LABELS[State(result['state'])]}。",
            highlight=False,
        )
        if result["evidence_gaps"]:
            out.print(
                message("evidence.gap.confirmed_cli", gaps=_gap_text(result["evidence_gaps"])),
                highlight=False,
            )


def _reason(text: str) -> str:
    reason = text.strip()
    if not reason:
        raise InputError("correction.reason_needed")
    return reason


def _each(
    codes: list[str], action_fn: Any, *, as_account: str, source: str | None, year: int | None, as_json: bool
) -> None:
    """Apply one step, as the account ``as_account``, to several patches in one transaction: all or none."""

    def run() -> list[dict[str, str]]:
        store = open_store(settings())
        done = []
        with store.writing() as session:
            who = actor_as(session, as_account)
            for code in codes:
                action_fn(session, find_patch(session, code, source=source, year=year), who)
                done.append(
                    {"JCBH": code, "state": find_patch(session, code, source=source, year=year).state}
                )
        return done

    done = guarded(as_json, run)
    if as_json:
        emit_json({"patches": done})
    else:
        for d in done:
            out.print(f"{d['JCBH']}：{STATE_LABELS[State(d['state'])]}", highlight=False)


def submit_command(
    codes: Annotated[list[str], typer.Argument(help="监测编号，可多个")],
    based_on: BasedOnOpt = None, confirm_gaps: ConfirmGapsOpt = False,
    source: SourceOpt = None, year: YearOpt = None, as_account: AsOpt = "", as_json: JsonOpt = False,
) -> None:  # fmt: skip
    """提交已保存的判定，进入市局审核；现场照片不足或核验未通过时须加 --confirm-gaps 确认。"""
    _each(codes, lambda s, p, who: _submit(s, p, who, confirm=confirm_gaps, version=based_on),
          as_account=as_account, source=source, year=year, as_json=as_json)  # fmt: skip


def review_command(
    codes: Annotated[list[str], typer.Argument(help="监测编号，可多个（批量审核）")],
    passed: Annotated[bool, typer.Option("--pass/--return", help="通过 / 退回")],
    reason: Annotated[list[str] | None, typer.Option("--reason", help="审核原因代码，可多次；退回至少一个")] = None,
    source: SourceOpt = None, year: YearOpt = None, as_account: AsOpt = "", as_json: JsonOpt = False,
) -> None:  # fmt: skip
    """市局审核：批量通过或退回（附原因代码；退回给出补正期限，天数取自规则字典）。"""
    reasons = list(reason or [])

    rules = load_rules()

    def step(session: Any, patch: Any, who: Any) -> None:
        workflow.review(
            session, patch, passed=passed, reasons=reasons, actor=who, rules=rules, on=clock.today()
        )

    _each(codes, step, as_account=as_account, source=source, year=year, as_json=as_json)


def report_command(
    codes: Annotated[list[str], typer.Argument(help="监测编号，可多个")],
    source: SourceOpt = None, year: YearOpt = None, as_account: AsOpt = "", as_json: JsonOpt = False,
) -> None:  # fmt: skip
    """上报审核通过的图斑；上报后判定冻结，只能通过更正修改。"""
    _each(codes, lambda s, p, who: workflow.report(s, p, actor=who), as_account=as_account, source=source,
          year=year, as_json=as_json)  # fmt: skip


def upper_command(
    codes: Annotated[list[str], typer.Argument(help="监测编号，可多个")],
    accepted: Annotated[bool, typer.Option("--accept/--return", help="上级通过 / 上级退回")],
    reason: Annotated[
        list[str] | None, typer.Option("--reason", help="原因代码（见审核原因字典），可多次；退回至少一个")
    ] = None,
    source: SourceOpt = None, year: YearOpt = None, as_account: AsOpt = "", as_json: JsonOpt = False,
) -> None:  # fmt: skip
    """登记上级（省、部）对已上报图斑的审核结果：通过，或退回（补正期限取自规则字典）。"""
    reasons = list(reason or [])
    rules = load_rules()

    def step(session: Any, patch: Any, who: Any) -> None:
        if not accepted and not reasons:
            raise InputError("review.reason_needed")
        workflow.check_review_reasons(reasons, passed=accepted, rules=rules, on=clock.today())
        workflow.upper_level(
            session, patch, accepted=accepted, reasons=reasons, actor=who, rules=rules, on=clock.today()
        )

    _each(codes, step, as_account=as_account, source=source, year=year, as_json=as_json)


def field_check_command(
    code: Annotated[str, typer.Argument(help="监测编号 JCBH")],
    note: Annotated[str, typer.Option("--note", help="实地核查情况")],
    source: SourceOpt = None,
    year: YearOpt = None,
    as_account: AsOpt = "",
    as_json: JsonOpt = False,
) -> None:
    """记录一次实地核查（谁、何时、看到什么），图斑进入核查中。"""
    _each(
        [code],
        lambda s, p, who: workflow.record_field_check(s, p, note=note, actor=who),
        as_account=as_account,
        source=source,
        year=year,
        as_json=as_json,
    )


def history_command(
    code: Annotated[str, typer.Argument(help="监测编号 JCBH")],
    source: SourceOpt = None, year: YearOpt = None, as_json: JsonOpt = False,
) -> None:  # fmt: skip
    """图斑的完整操作记录（只增不改）、当前判定与期限。"""

    def run() -> dict[str, Any]:
        store = open_store(settings())
        with store.reading() as session:
            patch = find_patch(session, code, source=source, year=year)
            det = current_determination(session, patch.id)
            evs = patch_events(session, patch.id)
            running = effective_due(patch, return_deadline(session, patch.id))
            suggestion = stored_suggestion(session, patch.id)
        if suggestion is not None:  # reasons and the rule trace in Chinese, beside their codes
            suggestion["reason_texts"] = [
                message(r["code"], **r.get("params", {})) for r in suggestion["reasons"]
            ]
            suggestion["trace_texts"] = [trace_text(s) for s in suggestion["trace"]]
        return {
            "JCBH": code,
            "state": patch.state,
            "due_on": patch.due_on,
            "running_due_on": running,  # after a return, the correction deadline
            "days_left": days_left(running, clock.today()),
            "determination": det.data if det else None,
            "suggestion": suggestion,
            "events": [
                {
                    "at": e.at,
                    "action": e.action,
                    "actor": e.actor,
                    "role": e.role,
                    "state_before": e.state_before,
                    "state_after": e.state_after,
                    "payload": e.payload,
                }
                for e in evs
            ],
        }

    h = guarded(as_json, run)
    if as_json:
        emit_json(h)
        return
    out.print(
        f"图斑 {code}：{STATE_LABELS[State(h['state'])]}，截止 {h['running_due_on']}（剩余 {h['days_left']} 天）",
        highlight=False,
    )
    t = Table(title="操作记录（北京时间）")
    for col in ("时间", "操作", "操作人", "状态变化"):
        t.add_column(col)
    for e in h["events"]:
        label = ACTION_LABELS.get(Action(e["action"]), e["action"])
        role = ROLE_LABELS.get(Role(e["role"]), e["role"]) if e["role"] in Role.__members__ else e["role"]
        t.add_row(_beijing(e["at"]), label, f"{e['actor']}（{role}）",
                  f"{STATE_LABELS[State(e['state_before'])]} → {STATE_LABELS[State(e['state_after'])]}")  # fmt: skip
    out.print(t)


def _beijing(at: Any) -> str:
    """An event time (stored in UTC) as Beijing time, to the second."""
    if isinstance(at, dt.datetime):
        aware = at if at.tzinfo is not None else at.replace(tzinfo=dt.UTC)
        return aware.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")
    return str(at)[:19]
