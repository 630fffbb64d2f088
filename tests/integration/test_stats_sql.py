"""The statistics summed in SQL equal the pure functions' on a varied store, on both backends.

The store mixes what each figure reads: two batches (sources, months, quarters, years), 违法
new / stock / unknown with and without filed 耕地, 合法, 其他, 伪变化, drafts, a return after
submission, submissions on time and late (one at 23:59 and one at 00:00 Beijing, where the UTC
day differs), ratio exclusions set and cleared, ledger records (partial, full, over-reported,
closed out), cases with confirmed and suggested persons, a mineral patch (违法 with 立案, and an
alias of 合法), a confirmed 乱占 and a split patch; patches outside every township.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert

from factories import HONGLAI, REGION, gk_square, patch_rows, write_vector
from stats_paths import both_paths
from weipian.domain import clock
from weipian.domain.layers import LayerKind
from weipian.domain.roles import Actor, Role
from weipian.domain.sources import Source
from weipian.rules import ApprovalClaim, Determination, load_rules
from weipian.services import workflow
from weipian.services.analyze import analyze
from weipian.services.exclusions import clear_exclusion, set_exclusion
from weipian.services.intake import IntakeOptions, import_package
from weipian.services.judge import judge_patches
from weipian.services.layers import import_layer
from weipian.storage.store import Store
from weipian.storage.tables import case_persons, cases, patch_splits, rectifications
from weipian.storage.workflow import find_patch

RULES = load_rules()
ADMIN = Actor("管理员", Role.bureau_admin)
ISSUED_1, ISSUED_2 = dt.date(2022, 11, 1), dt.date(2022, 12, 5)
RETURN = next(r.code for r in RULES.review_reasons(ISSUED_1) if r.outcome == "return")
PASS = next(r.code for r in RULES.review_reasons(ISSUED_1) if r.outcome == "pass")


def _illegal(rnd: random.Random, **kw: Any) -> Determination:
    area = round(rnd.uniform(1000, 9000), 2)
    base: dict[str, Any] = dict(
        verdict="违法", subtype="厂房类", opinion="未批先建", violation_type=rnd.choice(["违法占地", "违法批地", "其他"]),
        illegal_area_m2=area, farmland_area_m2=rnd.choice([None, 0.0, round(area * rnd.uniform(0.1, 0.9), 2)]),
        basic_farmland_area_m2=0.0, is_new=rnd.choice([True, True, False]),
    )  # fmt: skip
    base.update(kw)
    return Determination(**base)


def _other(rnd: random.Random) -> Determination:
    roll = rnd.random()
    if roll < 0.5:
        return Determination(
            verdict="合法", subtype="用地审批", opinion="已批", farmland_area_m2=rnd.choice([None, 1234.5]),
            approvals=(ApprovalClaim(route="用地审批", doc_no="闽政地〔2022〕1号", ratio_pct=100.0),),
        )  # fmt: skip
    if roll < 0.75:
        return Determination(verdict="伪变化", opinion="实地无变化")
    return Determination(
        verdict="其他", subtype="农村道路", opinion="农村道路", is_new=rnd.choice([True, False])
    )


def _at(day: dt.date, hh: int, mm: int) -> None:
    clock.set_now(dt.datetime.combine(day, dt.time(hh, mm)))  # Beijing time


def _file(store: Store, code: str, det: Determination, *, day: dt.date, hh: int = 10, mm: int = 0) -> None:
    _at(day, hh, mm)
    with store.writing() as s:
        workflow.save_determination(s, find_patch(s, code), det, actor=ADMIN, rules=RULES, on=day)
        workflow.submit(s, find_patch(s, code), actor=ADMIN)


def _ledger(store: Store, code: str, det: Determination, share: tuple[float, float], state: str) -> None:
    now = dt.datetime(2022, 12, 20, tzinfo=dt.UTC)
    area = det.illegal_area_m2 or 5000.0
    farm = det.farmland_area_m2 or 0.0
    with store.writing() as s:
        patch = find_patch(s, code)
        s.execute(insert(rectifications).values(
            patch_id=patch.id, state=state, responsible_unit=patch.township_code or "", responsible_person="李某",
            measures=["拆除复耕"], deadline=dt.date(2023, 3, 1), illegal_area_m2=area, illegal_farmland_m2=farm,
            demolished_m2=area * share[0], demolished_farmland_m2=farm * share[0], regularised_m2=area * share[1],
            regularised_farmland_m2=farm * share[1], remaining_m2=max(0.0, area * (1 - sum(share))),
            method="combined", major_case=False, opened_by="admin", opened_at=now, updated_at=now,
        ))  # fmt: skip


def _case(store: Store, code: str, n: int, *, closed: bool) -> None:
    now = dt.datetime(2022, 12, 20, tzinfo=dt.UTC)
    with store.writing() as s:
        case_id = s.execute(
            insert(cases).values(
                patch_id=find_patch(s, code).id, kind="land", case_no=f"南自然资罚〔2022〕{n}号",
                filed_on=dt.date(2022, 12, 10), closed_on=dt.date(2022, 12, 30) if closed else None,
                fine_yuan=1000.0, created_by="admin", created_at=now, updated_by="admin", updated_at=now,
            ).returning(cases.c.id)
        ).scalar_one()  # fmt: skip
        for name, outcome, confirmed in (("王某", "discipline", True), ("赵某", "judicial", n % 4 == 0),
                                         ("钱某", "organisational", True), ("孙某", "discipline", False)):  # fmt: skip
            s.execute(insert(case_persons).values(
                case_id=case_id, name=name, outcome=outcome, confirmed_by="admin" if confirmed else None
            ))  # fmt: skip


@pytest.fixture
def varied(store: Store, tmp_path: Path) -> Store:
    towns = write_vector(
        tmp_path / "t.gpkg",
        [{"XZQDM": HONGLAI, "XZQMC": "洪濑镇"}, {"XZQDM": "350583114", "XZQMC": "洪梅镇"},
         {"XZQDM": "350583115", "XZQMC": "空镇"}],  # the third has no patches
        [gk_square(-1000, -1000, 1500), gk_square(500, -1000, 1500), gk_square(-1000, 3000, 500)],
    )  # fmt: skip
    import_layer(store, towns, LayerKind.townships, region=REGION)
    land = write_vector(tmp_path / "l.gpkg", [{"DLBM": "0101"}], [gk_square(-1000, -1000, 3000)])
    import_layer(store, land, LayerKind.landuse, region=REGION)
    squares = [
        gk_square(dx, dy) for dy in (-900, -600, -300, 0, 300) for dx in (-900, -450, 0, 600, 1050, 1500)
    ]
    squares += [gk_square(1200, 1200), gk_square(1500, 1500)]  # outside every township
    first, second = squares[:20], squares[20:]
    p1 = write_vector(tmp_path / "p1.gpkg", patch_rows(len(first), "A", SFSK="否"), first)
    rows2 = patch_rows(len(second), "B", SFSK="否")
    rows2[0]["SFSK"] = rows2[1]["SFSK"] = "是"
    for r in rows2[4:]:
        r["NF"] = 2023
    p2 = write_vector(tmp_path / "p2.gpkg", rows2, second)
    import_package(
        store, p1, IntakeOptions(source=Source.ministry, batch="部1", issued=ISSUED_1, region=REGION)
    )
    import_package(
        store, p2, IntakeOptions(source=Source.province, batch="省1", issued=ISSUED_2, region=REGION)
    )
    analyze(store, workers=1)
    judge_patches(store, RULES, on=ISSUED_2)

    rnd = random.Random(14)
    illegal: dict[str, Determination] = {}
    for i in range(20):
        code = f"A{i:04d}"
        day = ISSUED_1 + dt.timedelta(days=rnd.choice([3, 15, 16, 29, 31]))  # 15-day deadline 11-16
        if i % 5 == 4:
            continue  # never filed
        det = _illegal(rnd) if i % 2 == 0 else _other(rnd)
        if i == 2:  # a confirmed 乱占耕地建房
            det = _illegal(
                rnd, farmland_area_m2=800.0, farmland_housing=True, farmland_housing_class="住宅类（单户）"
            )
        if i == 6:  # a draft only
            _at(day, 9, 0)
            with store.writing() as s:
                workflow.save_determination(s, find_patch(s, code), det, actor=ADMIN, rules=RULES, on=day)
            continue
        # 11-16 23:59 Beijing is 15:59 UTC (on time); 11-17 00:00 Beijing is still 11-16 in UTC (late).
        hh, mm = {0: (23, 59), 8: (0, 0)}.get(i, (10, 0))
        _file(store, code, det, day=dt.date(2022, 11, 16 + (i == 8)) if i in (0, 8) else day, hh=hh, mm=mm)
        if det.verdict == "违法":
            illegal[code] = det
    # A return after submission (月清 not done), then filed again.
    _at(dt.date(2022, 11, 25), 9, 0)
    with store.writing() as s:
        workflow.review(s, find_patch(s, "A0001"), passed=False, reasons=[RETURN], actor=ADMIN, rules=RULES,
                        on=dt.date(2022, 11, 25))  # fmt: skip
        workflow.review(s, find_patch(s, "A0003"), passed=True, reasons=[PASS], actor=ADMIN, rules=RULES,
                        on=dt.date(2022, 11, 25))  # fmt: skip
    # The second batch: mineral patches, more filings, some left open past the deadline.
    _file(store, "B0000", _illegal(rnd, is_mining=True, mineral_verdict="无证开采", mineral_handling="立案"),
          day=dt.date(2022, 12, 8))  # fmt: skip
    _file(store, "B0001", Determination(verdict="合法", subtype="用地审批", opinion="已批", is_mining=True,
          mineral_verdict="合法开采", approvals=(ApprovalClaim(route="用地审批", doc_no="闽政地〔2022〕2号", ratio_pct=100.0),)),
          day=dt.date(2022, 12, 31), hh=23, mm=30)  # fmt: skip
    for i in range(2, 8, 2):
        det = _illegal(rnd)
        _file(store, f"B{i:04d}", det, day=dt.date(2023, 1, 2))
        illegal[f"B{i:04d}"] = det
    illegal["B0000"] = _illegal(rnd)  # areas for its ledger row only
    # Exclusions: one set, one set then cleared.
    with store.writing() as s:
        for code in ("A0000", "A0004", "A0012"):
            set_exclusion(s, find_patch(s, code), category="省以上重点工程", note="", actor=ADMIN, rules=RULES,
                          on=ISSUED_2)  # fmt: skip
        clear_exclusion(s, find_patch(s, "A0004"), reason="核实不属于", actor=ADMIN)
    # Ledger records: partial, full, over-reported (capped), closed out with areas left; cases.
    shares = [((0.5, 0.0), "rectifying"), ((0.6, 0.4), "rectifying"), ((0.0, 1.0), "requested"),
              ((1.2, 0.3), "rectifying"), ((0.1, 0.0), "closed"), ((0.0, 0.0), "rectifying")]  # fmt: skip
    for n, (code, det) in enumerate(sorted(illegal.items())):
        share, state = shares[n % len(shares)]
        _ledger(store, code, det, share, state)
        if n % 2 == 0:
            _case(store, code, n, closed=n % 4 == 0)
    # A split: the parent counts once as issued, its parts (other patches here) by their figures.
    with store.writing() as s:
        parent = find_patch(s, "A0009").id
        for part, code in enumerate(("A0011", "A0013"), start=1):
            s.execute(insert(patch_splits).values(
                parent_patch_id=parent, child_patch_id=find_patch(s, code).id, part_no=part, split_status="审核结束",
                created_by="admin", created_at=dt.datetime(2022, 12, 1, tzinfo=dt.UTC),
            ))  # fmt: skip
    clock.set_now(None)
    return store


FILTERS: list[dict[str, Any]] = [
    {}, {"year": 2022}, {"year": 2023}, {"month": "2022-11"}, {"month": "2022-12"}, {"month": "2023-01"},
    {"year": 2022, "quarter": 4}, {"batch": "省1"}, {"source": "ministry"}, {"unit": HONGLAI},
    {"farmland_source": "desk"},
]  # fmt: skip


@pytest.mark.parametrize("on", [dt.date(2022, 11, 17), dt.date(2022, 12, 1), dt.date(2023, 2, 1)])
def test_sql_sums_equal_the_pure_functions(varied: Store, on: dt.date) -> None:
    seen = set()
    for kw in FILTERS:
        result = both_paths(varied, RULES, on=on, **kw)
        c = result.summary.county
        seen.add((c.patches, c.illegal, c.rectified, c.overdue, c.on_time))
    # The store is varied enough for the comparison to mean something (32 patches, 2 of them parts).
    whole = both_paths(varied, RULES, on=on).summary.county
    assert whole.patches == 30 and whole.illegal >= 10 and whole.legal >= 1
    assert whole.in_ledger >= 6 and whole.closed_out >= 1 and 0 < whole.rectified < whole.in_ledger
    assert (
        whole.cases_filed >= 3
        and whole.cases_closed >= 1
        and whole.discipline == whole.cases_filed > whole.judicial > 0
    )
    assert (
        whole.excluded >= 1
        and whole.illegal_stock >= 1
        and whole.mineral == 2
        and whole.mineral_case_filing == 1
    )
    assert whole.housing == 1 and whole.demolished and whole.regularised and whole.combined
    assert len(seen) > 5
    units = {u.code: u.figures for u in both_paths(varied, RULES, on=on).summary.units}
    assert None in units and units["350583115"].patches == 0


def test_beijing_midnight_decides_on_time(varied: Store) -> None:
    """Filed 11-16 23:59 Beijing counts as on time; 11-17 00:00 Beijing does not, though both are
    11-16 in UTC: the SQL reads the day in Beijing time like the records do."""
    from weipian.services.stats import compute_stats

    with varied.reading() as s:
        sql = compute_stats(s, RULES, on=dt.date(2023, 2, 1), with_records=False)
        pure = compute_stats(s, RULES, on=dt.date(2023, 2, 1))
    late = {r.code for r in pure.records if r.submitted_on and r.submitted_on > r.due_on}
    early = {r.code for r in pure.records if r.submitted_on and r.submitted_on <= r.due_on}
    assert "A0008" in late and "A0000" in early
    assert sql.summary.county.on_time == pure.summary.county.on_time == len(early)
