"""The tables of DOMAIN.md §8 as rows: figures by period, the 非农 lead table with its check
columns, the 非农违法图斑清单, 乱占耕地建房 by class and opinion, annual cases and referrals. Pure.

>>> import datetime as dt
>>> from weipian.stats.records import PatchRecord, Rectification
>>> d = dt.date(2022, 11, 16)
>>> r = PatchRecord(1, "A", "ministry", "B", 2022, d, "U", 1000.0, 400.0, 0.0, False, "reported", d, d,
...                 verdict="违法", illegal_area_m2=800.0, is_new=True,
...                 rectification=Rectification(demolished_m2=300.0, regularised_m2=100.0))
>>> from weipian.stats.figures import figures
>>> row = lead_row("U镇", figures([r], on=d))
>>> row.total_area_m2, row.rectified_area_m2, row.unrectified_area_m2, row.check_total, row.check_rectified
(800.0, 400.0, 400.0, True, True)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from weipian.domain.ledger import Method
from weipian.messages.labels import METHOD_LABELS, NO_UNIT
from weipian.stats.figures import Figures, RatioPolicy, figures, group_by
from weipian.stats.periods import month_key, quarter_of
from weipian.stats.records import PatchRecord, ReferralRecord

TOLERANCE_M2 = 0.005  # areas are printed to the centiare; sums of rounded values may differ by float noise


def period_key(by: str) -> Callable[[PatchRecord], str]:
    """The period a record falls in: ``year`` (NF), ``quarter`` (``2022Q4``) or ``month``
    (``2022-11``) of the issue date; ``2022Q?`` / ``2022-??`` when the date is not known (worded at
    the edge: ``messages.period_key_text``)."""
    if by == "year":
        return lambda r: str(r.year)
    if by == "quarter":
        return lambda r: quarter_of(r.issued_on) if r.issued_on else f"{r.year}Q?"
    if by == "month":
        return lambda r: month_key(r.issued_on) if r.issued_on else f"{r.year}-??"
    raise ValueError(by)


def by_period(
    records: Iterable[PatchRecord], by: str, *, on: dt.date, policy: RatioPolicy | None = None
) -> list[tuple[str, Figures]]:
    """Table 1 (summary by period): figures per period, in period order."""
    groups = group_by(records, period_key(by))
    return [(k, figures(groups[k], on=on, policy=policy)) for k in sorted(groups)]


@dataclass(frozen=True)
class LeadRow:
    """Table 2 (非农 lead table), one unit: total, rectified (拆除 + 补办), unrectified; checks."""

    name: str
    total: int
    total_area_m2: float
    total_farmland_m2: float
    rectified: int
    rectified_area_m2: float
    rectified_farmland_m2: float
    demolished: int
    demolished_area_m2: float
    demolished_farmland_m2: float
    regularised: int
    regularised_area_m2: float
    regularised_farmland_m2: float
    combined: int
    unrectified: int
    unrectified_area_m2: float
    unrectified_farmland_m2: float
    check_total: bool  # 总 = 已整改 + 未整改 (count, area, 耕地)
    check_rectified: bool  # 已整改 = 拆除 + 补办 (area, 耕地)


def _same(a: float, b: float) -> bool:
    return abs(a - b) <= TOLERANCE_M2


def lead_row(name: str, f: Figures) -> LeadRow:
    return LeadRow(
        name=name,
        total=f.illegal,
        total_area_m2=f.illegal_area_m2,
        total_farmland_m2=f.illegal_farmland_all_m2,
        rectified=f.rectified,
        rectified_area_m2=f.rectified_area_m2,
        rectified_farmland_m2=f.rectified_farmland_m2,
        demolished=f.demolished,
        demolished_area_m2=f.demolished_area_m2,
        demolished_farmland_m2=f.demolished_farmland_m2,
        regularised=f.regularised,
        regularised_area_m2=f.regularised_area_m2,
        regularised_farmland_m2=f.regularised_farmland_m2,
        combined=f.combined,
        unrectified=f.unrectified,
        unrectified_area_m2=f.unrectified_area_m2,
        unrectified_farmland_m2=f.unrectified_farmland_m2,
        check_total=f.illegal == f.rectified + f.unrectified
        and _same(f.illegal_area_m2, f.rectified_area_m2 + f.unrectified_area_m2)
        and _same(f.illegal_farmland_all_m2, f.rectified_farmland_m2 + f.unrectified_farmland_m2),
        check_rectified=_same(f.rectified_area_m2, f.demolished_area_m2 + f.regularised_area_m2)
        and _same(f.rectified_farmland_m2, f.demolished_farmland_m2 + f.regularised_farmland_m2),
    )


def lead_table(units: Sequence[tuple[str, Figures]]) -> list[LeadRow]:
    """Table 2 sorted by unrectified 耕地, most first (then by name)."""
    rows = [lead_row(name, f) for name, f in units]
    return sorted(rows, key=lambda r: (-r.unrectified_farmland_m2, r.name))


@dataclass(frozen=True)
class IllegalItem:
    """Table 3 (非农违法图斑清单), one patch."""

    seq: int
    county: str
    batch: str
    code: str  # 线索编号 (JCBH)
    unit_name: str
    project_name: str | None
    project_owner: str | None
    use: str | None  # 用途: the 违法 sub-type
    area_m2: float
    farmland_m2: float
    basic_farmland_m2: float
    rectified: bool
    method: str  # 拆除复耕 / 补办手续 / 拆补组合 / 未整改
    major_case: bool
    remark: tuple[dict[str, Any], ...]  # codes (stats.remark.*): 新增/存量, 排除, 已销号; documents word them


# The figures' 整改方式 (stats.figures) as the ledger's codes, worded by their one label.
_METHODS = {
    "demolished": Method.demolish_restore,
    "regularised": Method.retro_approval,
    "combined": Method.combined,
}


def illegal_items(
    records: Iterable[PatchRecord], unit_names: Mapping[str, str], county: str
) -> list[IllegalItem]:
    """Table 3: every filed 违法 patch except restricted ones, by unit and code."""
    chosen = sorted(
        (r for r in records if r.illegal and not r.restricted), key=lambda r: (r.unit or "~", r.code)
    )
    out = []
    for i, r in enumerate(chosen, start=1):
        rect = r.rectification
        done = rect is not None and (rect.closed_out or r.illegal_m2 - rect.rectified_m2 <= 1e-6)
        method = None
        if rect is not None and (rect.demolished_m2 > 0 or rect.regularised_m2 > 0):
            both = rect.demolished_m2 > 0 and rect.regularised_m2 > 0
            method = "combined" if both else ("demolished" if rect.demolished_m2 > 0 else "regularised")
        remark: list[dict[str, Any]] = []
        if r.is_new is not None:
            remark.append({"code": "stats.remark.new" if r.is_new else "stats.remark.stock", "params": {}})
        if r.exclusion:
            remark.append({"code": "stats.remark.excluded", "params": {"category": r.exclusion}})
        if rect is not None and rect.closed_out:
            remark.append({"code": "stats.remark.closed", "params": {}})
        out.append(
            IllegalItem(
                seq=i,
                county=county,
                batch=r.batch,
                code=r.code,
                unit_name=unit_names.get(r.unit or "", NO_UNIT),
                project_name=r.project_name,
                project_owner=r.project_owner,
                use=r.subtype,
                area_m2=round(r.illegal_m2, 2),
                farmland_m2=round(r.farmland, 2),
                basic_farmland_m2=round(r.basic_farmland_m2 or r.desk_basic_farmland_m2 or 0.0, 2),
                rectified=done,
                method=METHOD_LABELS[_METHODS[method] if method else Method.none],
                major_case=bool(rect and rect.major_case),
                remark=tuple(remark),
            )
        )
    return out


@dataclass
class HousingRow:
    """Table 4 (乱占耕地建房), one class and opinion: count and areas (m²). Words for the
    unclassified, the rule-flagged and the not yet determined are the documents' (io.reports.content
    .housing_words)."""

    housing_class: str | None  # a class of the rule dictionary; None: confirmed without a class
    opinion: str | None  # 违法 / 存疑 / 合法; None: not determined (未认定)
    candidate: bool = False  # flagged by the rules, not confirmed (规则提示)
    count: int = 0
    area_m2: float = 0.0
    farmland_m2: float = 0.0
    basic_farmland_m2: float = 0.0


def housing_opinion(r: PatchRecord) -> str | None:
    """The 乱占 opinion: the verdict when filed (违法 or 合法), 存疑 for any other filed verdict;
    None when not determined (未认定)."""
    if not (r.filed and r.housing):
        return None
    return r.verdict if r.verdict in ("违法", "合法") else "存疑"


def housing_table(records: Iterable[PatchRecord], classes: Sequence[str]) -> list[HousingRow]:
    """Table 4: confirmed 乱占 by class and opinion, plus rule-flagged candidates not confirmed."""
    rows: dict[tuple[str | None, str | None, bool], HousingRow] = {}
    for c in classes:
        for o in ("违法", "存疑", "合法"):
            rows[(c, o, False)] = HousingRow(c, o)
    for r in records:
        confirmed = r.filed and r.housing
        if not confirmed and not r.housing_candidate:
            continue
        key = (r.housing_class if confirmed else None, housing_opinion(r), not confirmed)
        row = rows.setdefault(key, HousingRow(*key))
        row.count += 1
        row.area_m2 += r.area_m2
        row.farmland_m2 += r.farmland
        row.basic_farmland_m2 += r.basic_farmland_m2 or r.desk_basic_farmland_m2 or 0.0
    for row in rows.values():
        row.area_m2, row.farmland_m2 = round(row.area_m2, 2), round(row.farmland_m2, 2)
        row.basic_farmland_m2 = round(row.basic_farmland_m2, 2)
    return list(rows.values())


@dataclass
class CaseRow:
    """Table 5 (annual cases), land or mineral: carried over, filed, closed, still open, persons."""

    kind: str  # a CaseKind value: land (土地) or mineral (矿产); the documents word it
    carried_over: int = 0  # filed before the year, not closed before it
    filed: int = 0
    closed: int = 0
    open_at_end: int = 0
    discipline: int = 0
    organisational: int = 0
    judicial: int = 0
    fine_yuan: float = 0.0


def case_table(records: Iterable[PatchRecord], year: int) -> list[CaseRow]:
    """Table 5 for ``year`` from the case register held in the ledger."""
    rows = {"land": CaseRow("land"), "mineral": CaseRow("mineral")}
    for r in records:
        case = r.case
        if case is None or case.filed_on is None or case.filed_on.year > year:
            continue
        if case.closed_on is not None and case.closed_on.year < year:
            continue
        row = rows["mineral" if case.kind == "mineral" else "land"]
        if case.filed_on.year < year:
            row.carried_over += 1
        else:
            row.filed += 1
        if case.closed_on is not None and case.closed_on.year == year:
            row.closed += 1
        else:
            row.open_at_end += 1
        row.discipline += case.discipline
        row.organisational += case.organisational
        row.judicial += case.judicial
        row.fine_yuan += case.fine_yuan
    return list(rows.values())


@dataclass
class ReferralRow:
    """Referral figures for one department: sent, finished (on time or late), open, overdue."""

    department: str
    sent: int = 0
    finished: int = 0
    finished_late: int = 0
    open: int = 0
    overdue: int = 0


def referral_table(referrals: Iterable[ReferralRecord], on: dt.date) -> list[ReferralRow]:
    rows: dict[str, ReferralRow] = {}
    for r in referrals:
        row = rows.setdefault(r.department, ReferralRow(r.department))
        row.sent += 1
        if r.finished_on is not None:
            row.finished += 1
            row.finished_late += int(r.finished_on > r.due_on)
        else:
            row.open += 1
            row.overdue += int(r.due_on < on)
    return [rows[k] for k in sorted(rows)]
