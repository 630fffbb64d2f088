"""The pure statistics: sums, check columns, ranking, 约谈 reasons, tables."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest

from weipian.stats.evaluation import InterviewThresholds, evaluate
from weipian.stats.figures import Figures, RatioPolicy, add_up, figures
from weipian.stats.records import Case, PatchRecord, Rectification
from weipian.stats.summary import Unit, unit_summary
from weipian.stats.tables import case_table, housing_table, illegal_items, lead_table

ON = dt.date(2023, 3, 1)
D = dt.date(2022, 11, 16)


def rec(i: int, unit: str | None = "A", **kw: Any) -> PatchRecord:
    base: dict[str, Any] = dict(
        patch_id=i, code=f"P{i:04d}", source="ministry", batch="B1", year=2022,
        issued_on=dt.date(2022, 11, 1), unit=unit, area_m2=1000.0, desk_farmland_m2=600.0,
        desk_basic_farmland_m2=0.0, restricted=False, state="reported", due_on=D, effective_due_on=D,
    )  # fmt: skip
    base.update(kw)
    return PatchRecord(**base)


def random_records(n: int, seed: int = 42) -> list[PatchRecord]:
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        area = rnd.uniform(100, 5000)
        verdict = rnd.choice([None, "违法", "合法", "其他", "伪变化"])
        rect = None
        if verdict == "违法" and rnd.random() < 0.7:
            dem = rnd.uniform(0, area / 2)
            reg = rnd.uniform(0, area / 2) if rnd.random() < 0.5 else 0.0
            rect = Rectification(
                demolished_m2=dem, demolished_farmland_m2=dem / 3, regularised_m2=reg,
                regularised_farmland_m2=reg / 4, closed_out=rnd.random() < 0.2,
            )  # fmt: skip
        out.append(
            rec(
                i,
                rnd.choice(["A", "B", "C", None]),
                area_m2=area,
                desk_farmland_m2=area * rnd.random(),
                verdict=verdict,
                state=rnd.choice(["reported", "issued", "submitted", "county_returned"]),
                illegal_area_m2=area * 0.9 if verdict == "违法" else None,
                is_new=rnd.choice([True, False, None]),
                housing=verdict == "违法" and rnd.random() < 0.3,
                rectification=rect,
                exclusion="省以上重点工程" if rnd.random() < 0.05 else None,
                submitted_on=D + dt.timedelta(days=rnd.randint(-10, 10)) if rnd.random() < 0.8 else None,
                case=Case(filed_on=dt.date(2022, 12, 1)) if rect and rnd.random() < 0.5 else None,
            )
        )
    return out


def test_county_is_the_sum_of_units_and_checks_hold() -> None:
    records = random_records(400)
    t = InterviewThresholds(0.15, 66666.67, 33333.33, 0.8)
    s = unit_summary(records, [Unit("A", "甲"), Unit("B", "乙"), Unit("C", "丙")], on=ON,
                     policy=RatioPolicy(), thresholds=t)  # fmt: skip
    direct = figures(records, on=ON)
    for name in ("patches", "illegal", "rectified", "overdue", "housing", "closed_out", "cases_filed"):
        assert (
            getattr(s.county, name) == getattr(direct, name) == sum(getattr(u.figures, name) for u in s.units)
        )
    for name in (
        "illegal_area_m2",
        "illegal_farmland_m2",
        "new_construction_farmland_m2",
        "rectified_area_m2",
    ):
        assert getattr(s.county, name) == pytest.approx(getattr(direct, name), abs=0.05)
    c = s.county
    assert c.illegal == c.rectified + c.unrectified
    assert c.rectified_area_m2 == pytest.approx(c.demolished_area_m2 + c.regularised_area_m2, abs=0.02)
    assert all(
        row.check_total and row.check_rectified for row in lead_table([(u.name, u.figures) for u in s.units])
    )
    assert c.illegal_farmland_m2 <= c.new_construction_farmland_m2


def test_stock_and_excluded_stay_out_of_the_ratio() -> None:
    rs = [
        rec(1, verdict="违法", is_new=True, farmland_m2=100.0),
        rec(2, verdict="违法", is_new=False, farmland_m2=500.0),  # 存量: neither side
        rec(3, verdict="违法", is_new=True, farmland_m2=300.0, exclusion="省以上重点工程"),
        rec(4, verdict="合法", farmland_m2=None),  # desk GDMJ 600
        rec(5, verdict="伪变化"),  # not construction
    ]
    f = figures(rs, on=ON)
    assert (f.illegal_farmland_m2, f.new_construction_farmland_m2, f.excluded) == (100.0, 700.0, 1)
    assert f.illegal_farmland_ratio_pct == 14.29 and f.warning_level == "amber"
    desk = figures(rs, on=ON, policy=RatioPolicy(farmland_source="desk"))
    assert desk.illegal_farmland_m2 == 600.0


def test_ranking_worst_first_and_reasons() -> None:
    t = InterviewThresholds(
        ratio_line=0.15, area_min_m2=1000.0, unrectified_farmland_min_m2=1e12, on_time_rate_min=0.8
    )
    units = {
        "A": Figures(
            illegal_farmland_ratio_pct=30.0, illegal_farmland_m2=2000.0, unrectified_farmland_m2=10.0
        ),
        "B": Figures(illegal_farmland_ratio_pct=30.0, illegal_farmland_m2=500.0, unrectified_farmland_m2=5.0),
        "C": Figures(due=10, on_time=5, on_time_rate_pct=50.0),
        "D": Figures(),
    }
    ranked = evaluate(units, t)
    assert [e.key for e in ranked][:2] == ["A", "B"] and [e.rank for e in ranked] == [1, 2, 3, 4]
    why = {e.key: [r.code for r in e.reasons] for e in ranked}
    assert why == {"A": ["interview.ratio"], "B": [], "C": ["interview.on_time"], "D": []}


def test_tables() -> None:
    rs = [
        rec(1, verdict="违法", illegal_area_m2=800.0, housing=True, housing_class="住宅类（单户）", is_new=True,
            rectification=Rectification(demolished_m2=800.0, major_case=True),
            case=Case(filed_on=dt.date(2021, 5, 1), closed_on=dt.date(2022, 3, 1), discipline=1)),
        rec(2, verdict="违法", restricted=True),
        rec(3, housing_candidate=True, state="issued"),
    ]  # fmt: skip
    items = illegal_items(rs, {"A": "甲镇"}, "南安市")
    assert [i.code for i in items] == ["P0001"] and items[0].method == "拆除复耕" and items[0].rectified
    assert [p["code"] for p in items[0].remark] == ["stats.remark.new"]  # a code; documents word it
    housing = {
        (h.housing_class, h.opinion, h.candidate): h.count
        for h in housing_table(rs, ["住宅类（单户）"])
        if h.count
    }  # the rule-flagged patch, not determined: no class and no opinion in the core; documents word it
    assert housing == {("住宅类（单户）", "违法", False): 1, (None, None, True): 1}
    land = case_table(rs, 2022)[0]
    assert (land.carried_over, land.filed, land.closed, land.open_at_end, land.discipline) == (1, 0, 1, 0, 1)
    assert add_up([figures(rs[:1], on=ON), figures(rs[1:], on=ON)], RatioPolicy()).illegal == 2


def test_housing_rows_are_worded_by_the_documents() -> None:
    from weipian.io.reports.content import housing_words
    from weipian.stats.tables import HousingRow

    assert housing_words(HousingRow(None, None, candidate=True)) == ("规则提示（未认定）", "未认定")
    assert housing_words(HousingRow(None, "违法")) == ("未分类", "违法")
    assert housing_words(HousingRow("住宅类（单户）", "存疑")) == ("住宅类（单户）", "存疑")
