"""``weipian due``: per unit, what falls due within 7 days and what is overdue."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from weipian.cli.context import command_store
from weipian.cli.output import emit_json, guarded, out
from weipian.domain import clock
from weipian.domain.ledger import REMINDER_DAYS
from weipian.messages.labels import DUE_KIND_LABELS
from weipian.services.due import DueItem, UnitDue, count_by_kind, reminders


def item_json(i: DueItem) -> dict[str, Any]:
    return {
        "kind": i.kind,
        "kind_label": DUE_KIND_LABELS[i.kind],
        "JCBH": i.patch_code,
        "due_on": None if i.kind == "close_out" else i.day,
        "requested_on": i.day if i.kind == "close_out" else None,
        "days_left": None if i.kind == "close_out" else i.days_left,
        "days_waiting": -i.days_left if i.kind == "close_out" else None,
        "overdue": i.overdue,
        "ref": i.ref,
        "department": i.detail,
    }


def unit_json(u: UnitDue) -> dict[str, Any]:
    return {
        "unit": u.unit,
        "name": u.name,
        "overdue": [item_json(i) for i in u.overdue],
        "due_soon": [item_json(i) for i in u.due_soon],
        "waiting": [item_json(i) for i in u.waiting],
    }


def due_command(
    unit: Annotated[
        str | None,
        typer.Option(
            "--unit", help="只看该单位：乡镇代码或单位代码（weipian units list），含其所辖乡镇的事项"
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="以一个 JSON 对象输出结果")] = False,
) -> None:
    """到期提醒：各单位 7 天内到期和已逾期的事项（整改时限、抄告反馈、核查填报）及待审核的销号申请。"""
    on = clock.today()

    def run() -> list[UnitDue]:
        with command_store() as store, store.reading() as session:
            return reminders(session, today=on, unit=unit)

    units = guarded(as_json, run)
    if as_json:
        emit_json({"today": on, "days": REMINDER_DAYS, "totals": count_by_kind(units),
                   "units": [unit_json(u) for u in units]})  # fmt: skip
        return
    if not units:
        out.print(f"截至 {on}，没有 {REMINDER_DAYS} 天内到期或已逾期的事项。", highlight=False)
        return
    t = Table(title=f"到期提醒（{on}，{REMINDER_DAYS} 天内）")
    for col in ("单位", "事项", "监测编号", "期限", "情况"):
        t.add_column(col)
    for u in units:
        for i in u.overdue + u.due_soon + u.waiting:
            if i.kind == "close_out":
                state = f"已等待 {-i.days_left} 天"
            else:
                state = f"逾期 {-i.days_left} 天" if i.overdue else f"剩余 {i.days_left} 天"
            what = DUE_KIND_LABELS[i.kind] + (f"（{i.detail}）" if i.detail else "")
            t.add_row(u.name, what, i.patch_code, str(i.day), state)
    out.print(t)
