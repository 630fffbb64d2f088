"""Export the case register: the 立案查处台账 (every case) and the 矿产执法台账 (every patch whose
mineral determination is 违法, with its licence, mineral, verdict, handling and its case, if any).

Military-restricted patches are never exported (they go through the offline channel only).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from weipian.domain.cases import Outcome
from weipian.domain.ledger import CASE_KIND_LABELS
from weipian.domain.sources import SOURCE_LABELS, Source
from weipian.io.case_sheet import write_case_sheet
from weipian.messages import message
from weipian.messages.labels import CASE_STAGE_LABELS
from weipian.rules import RuleSet
from weipian.services.case_records import CaseRecord, list_cases
from weipian.storage.tables import patch_facts, patches, townships
from weipian.storage.workflow import latest_determinations

CASE_HEADERS = ("立案号", "立案日期", "处罚决定书文号", "处罚决定日期", "罚款（元）", "没收金额（元）", "没收面积（㎡）",
                "没收内容", "结案日期", "案件状态", "党纪政务处分（人）", "组织处理（人）", "移送司法（人）", "责任追究", "备注")  # fmt: skip
REGISTER_HEADERS = ("序号", "监测编号", "案件类别", "来源", "年度", "乡镇（街道）", *CASE_HEADERS)
MINERAL_HEADERS = ("序号", "监测编号", "来源", "年度", "乡镇（街道）", "采矿许可证号", "开采矿种", "矿产判定", "处理方式",
                   *CASE_HEADERS)  # fmt: skip


def _persons(c: CaseRecord) -> str:
    parts = []
    for p in c.confirmed_persons:
        who = p.name + (f"（{p.position}）" if p.position else "")
        parts.append(
            f"{who}：{p.outcome.label}" + (f"（{p.detail}）" if p.detail and not p.suggested_by else "")
        )
    return "；".join(parts)


def _case_cells(c: CaseRecord | None) -> list[Any]:
    if c is None:
        return [message("document.case_none"), *([None] * (len(CASE_HEADERS) - 1))]
    f = c.fields
    counts = [sum(p.outcome is o for p in c.confirmed_persons) for o in Outcome]
    return [
        f.case_no, f.filed_on, f.decision_no, f.decision_on, f.fine_yuan, f.confiscated_yuan, f.confiscated_area_m2,
        f.confiscation, f.closed_on, CASE_STAGE_LABELS[c.stage], *counts, _persons(c), f.note,
    ]  # fmt: skip


def _source(code: str) -> str:
    try:
        return SOURCE_LABELS[Source(code)]
    except ValueError:
        return code


MONEY_COLUMNS = tuple(range(4, 7))  # 罚款, 没收金额, 没收面积 within CASE_HEADERS


def export_register(session: Session, path: Path, *, within: Collection[str] | None, on: dt.date) -> int:
    """立案查处台账: every case (land and mineral) of the unit, or of the county; returns the rows."""
    items = sorted(list_cases(session, townships=within, include_restricted=False, limit=None),
                   key=lambda c: (c.fields.filed_on, c.id))  # fmt: skip
    rows = [
        [i, c.patch_code, CASE_KIND_LABELS[c.kind], _source(c.source), c.year, c.township_name or c.township_code,
         *_case_cells(c)]
        for i, c in enumerate(items, start=1)
    ]  # fmt: skip
    offset = len(REGISTER_HEADERS) - len(CASE_HEADERS)
    write_case_sheet(
        path, sheet="立案查处台账", title=message("document.title.case_register", on=on, count=len(rows)),
        headers=REGISTER_HEADERS, rows=rows, money=[offset + j for j in MONEY_COLUMNS],
    )  # fmt: skip
    return len(rows)


def mineral_rows(
    session: Session, rules: RuleSet, on: dt.date, *, within: Collection[str] | None
) -> list[list[Any]]:
    """One row per patch whose current mineral determination is 违法, or that has a mineral case."""
    by_patch = {
        c.patch_id: c for c in list_cases(session, townships=within, include_restricted=False, limit=None)
    }
    illegal_class = rules.tables(on).determination["mineral_illegal_class"]
    det = latest_determinations()
    query = (
        select(
            patches.c.id, patches.c.patch_code, patches.c.source, patches.c.year, patches.c.township_code,
            townships.c.name.label("township_name"), patch_facts.c.mining_licence, patch_facts.c.mining_mineral,
            det.c.data,
        )
        .select_from(patches)
        .join(det, det.c.patch_id == patches.c.id)
        .outerjoin(townships, townships.c.code == patches.c.township_code)
        .outerjoin(patch_facts, patch_facts.c.patch_id == patches.c.id)
        .where(patches.c.restricted.is_not(True))
        .order_by(patches.c.year, patches.c.patch_code, patches.c.id)
    )  # fmt: skip
    if within is not None:
        query = query.where(patches.c.township_code.in_(sorted(within)))
    rows: list[list[Any]] = []
    for r in session.execute(query):
        data = r.data or {}
        verdict = data.get("mineral_verdict")
        case = by_patch.get(r.id)
        illegal = bool(verdict) and rules.parent("mineral_verdict", str(verdict), on) == illegal_class
        if not illegal and (case is None or case.kind.value != "mineral"):
            continue
        rows.append([
            len(rows) + 1, r.patch_code, _source(r.source), r.year, r.township_name or r.township_code,
            r.mining_licence or message("document.licence_none"), r.mining_mineral, verdict, data.get("mineral_handling"), *_case_cells(case),
        ])  # fmt: skip
    return rows


def export_mineral(
    session: Session, path: Path, rules: RuleSet, *, within: Collection[str] | None, on: dt.date
) -> int:
    """矿产执法台账; returns the number of rows."""
    rows = mineral_rows(session, rules, on, within=within)
    offset = len(MINERAL_HEADERS) - len(CASE_HEADERS)
    write_case_sheet(
        path, sheet="矿产执法台账", title=message("document.title.mineral_register", on=on, count=len(rows)),
        headers=MINERAL_HEADERS, rows=rows, money=[offset + j for j in MONEY_COLUMNS],
    )  # fmt: skip
    return len(rows)
