"""Statistics on both backends: figures from real determinations, exclusions, sums, rank, errors."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from factories import HONGLAI, HONGMEI, SQUARE_100M_ELLIPSOIDAL_M2, small_county
from stats_paths import both_paths
from weipian.domain.roles import Actor, Role
from weipian.errors import InputError, NotFound, PermissionDenied
from weipian.rules import ApprovalClaim, Determination, load_rules
from weipian.services import workflow
from weipian.services.exclusions import clear_exclusion, set_exclusion
from weipian.stats.figures import Figures
from weipian.storage.store import Store
from weipian.storage.workflow import find_patch

RULES = load_rules()
TODAY = dt.date(2022, 11, 20)
ADMIN = Actor("管理员", Role.bureau_admin)


def illegal(**kw: Any) -> Determination:
    base: dict[str, Any] = dict(
        verdict="违法", subtype="厂房类", opinion="未批先建", project_owner="张某", violation_type="违法占地",
        illegal_area_m2=5000.0, farmland_area_m2=4000.0, basic_farmland_area_m2=0.0, is_new=True,
    )  # fmt: skip
    base.update(kw)
    return Determination(**base)


LEGAL = Determination(
    verdict="合法", subtype="用地审批", opinion="已办理农转用", project_name="某项目",
    approvals=(ApprovalClaim(route="用地审批", doc_no="闽政地〔2021〕1号", ratio_pct=100.0),),
)  # fmt: skip


def file(store: Store, code: str, det: Determination) -> None:
    with store.writing() as s:
        workflow.save_determination(s, find_patch(s, code), det, actor=ADMIN, rules=RULES, on=TODAY)
        workflow.submit(s, find_patch(s, code), actor=ADMIN)


@pytest.fixture
def county(store: Store, tmp_path: Path) -> Store:
    small_county(store, tmp_path)
    file(store, "P0000", illegal())
    file(store, "P0001", LEGAL)
    return store


def stats(store: Store, **kw: Any) -> Any:
    """The figures from the records, checked against the SQL sums (tests/stats_paths.py)."""
    return both_paths(store, RULES, on=dt.date(2022, 12, 1), **kw)


def unit(result: Any, code: str | None) -> Figures:
    return next(u.figures for u in result.summary.units if u.code == code)


def assert_county_is_sum(result: Any) -> None:
    county = result.summary.county
    for field in dataclasses.fields(Figures):
        value = getattr(county, field.name)
        if isinstance(value, int | float) and not field.name.endswith("_pct"):
            total = sum(getattr(u.figures, field.name) for u in result.summary.units)
            assert value == pytest.approx(total, abs=0.011), field.name


def test_figures_from_determinations(county: Store) -> None:
    r = stats(county, year=2022)
    c = r.summary.county
    assert (c.patches, c.determined, c.illegal, c.legal) == (3, 2, 1, 1)
    assert c.illegal_area_m2 == 5000.0 and c.illegal_farmland_m2 == 4000.0
    # The legal patch filed no 耕地, so its desk GDMJ (the whole square on 0101) counts.
    assert c.new_construction_farmland_m2 == pytest.approx(4000.0 + SQUARE_100M_ELLIPSOIDAL_M2, abs=0.5)
    assert c.illegal_farmland_ratio_pct == round(100 * 4000 / c.new_construction_farmland_m2, 2)
    assert c.warning_level == "red"
    honglai, hongmei = unit(r, HONGLAI), unit(r, HONGMEI)
    assert honglai.illegal_farmland_ratio_pct == 100.0 and hongmei.illegal_farmland_ratio_pct == 0.0
    # Nothing is in the rectification ledger: nothing rectified, all unrectified (总 = 已整改 + 未整改).
    assert (c.rectified, c.unrectified, c.rectified_area_m2, c.unrectified_area_m2) == (0, 1, 0.0, 5000.0)
    assert c.rectification_rate_count_pct == 0.0
    # The military patch lies outside both townships: its own row keeps county = Σ units.
    assert unit(r, None).patches == 1
    assert_county_is_sum(r)
    # Filed on the real clock, long after the 2022-11-16 deadline: late, so on the 约谈 list.
    ev = next(u.evaluation for u in r.summary.units if u.code == HONGLAI)
    assert ev is not None and ev.rank == 1 and ev.interview
    assert [x.code for x in ev.reasons] == ["interview.on_time"]
    assert c.on_time == 0 and c.due == 3 and c.overdue == 1  # P0002 never filed


def test_exclusion_leaves_both_sides_of_the_ratio(county: Store) -> None:
    with county.writing() as s:
        label = set_exclusion(
            s, find_patch(s, "P0001"), category="省以上重点工程", note="闽发改〔2022〕1号", actor=ADMIN,
            rules=RULES, on=TODAY,
        )  # fmt: skip
    assert label == "省以上重点工程"
    c = stats(county).summary.county
    assert (c.excluded, c.new_construction_farmland_m2, c.illegal_farmland_ratio_pct) == (1, 4000.0, 100.0)
    with county.writing() as s:
        clear_exclusion(s, find_patch(s, "P0001"), reason="核实不属于重点工程", actor=ADMIN)
    assert stats(county).summary.county.excluded == 0


def test_exclusion_refused_for_townships_and_unknown_categories(county: Store) -> None:
    town = Actor("乡镇", Role.township, HONGMEI)
    with county.writing() as s, pytest.raises(PermissionDenied):
        set_exclusion(
            s, find_patch(s, "P0001"), category="省以上重点工程", note="", actor=town, rules=RULES, on=TODAY
        )
    with county.writing() as s, pytest.raises(InputError) as exc:
        set_exclusion(
            s, find_patch(s, "P0001"), category="=HYPERLINK()", note="", actor=ADMIN, rules=RULES, on=TODAY
        )
    assert exc.value.code == "exclusion.category_unknown"
    assert stats(county).summary.county.excluded == 0


def test_filters_and_bad_input(county: Store) -> None:
    assert stats(county, month="2022-11").summary.county.patches == 3
    empty = stats(county, month="2023-01")
    assert empty.summary.county.patches == 0 and empty.summary.county.illegal_farmland_ratio_pct is None
    one = stats(county, unit=HONGLAI)
    assert [u.code for u in one.summary.units] == [HONGLAI] and one.summary.county.patches == 1
    assert one.summary.units[0].evaluation is not None and one.summary.units[0].evaluation.rank == 1
    with pytest.raises(InputError) as bad:
        stats(county, month="2022-13")
    assert bad.value.code == "stats.month_invalid"
    with pytest.raises(NotFound) as unknown:
        stats(county, unit="350583999")
    assert unknown.value.code == "stats.unit_unknown"
    with pytest.raises(InputError):
        stats(county, year=2023, month="2022-11")


def test_stock_and_drafts_are_not_counted(county: Store) -> None:
    """A 存量 违法 adds to 违法 but not to the ratio; a draft (not submitted) counts nowhere."""
    with county.writing() as s:
        workflow.save_determination(
            s, find_patch(s, "P0002"), illegal(is_new=False), actor=ADMIN, rules=RULES, on=TODAY
        )
    c = stats(county).summary.county
    assert (c.determined, c.illegal) == (2, 1)
    with county.writing() as s:
        workflow.submit(s, find_patch(s, "P0002"), actor=ADMIN)
    c = stats(county).summary.county
    assert (c.illegal, c.illegal_stock, c.illegal_new, c.illegal_farmland_m2) == (2, 1, 1, 4000.0)
    assert c.illegal_farmland_all_m2 == 8000.0


def ledger_row(
    store: Store, code: str, *, demolished: float, regularised: float, state: str = "rectifying"
) -> None:
    """A ledger record as the ledger's services leave it (written directly: only its tables are merged)."""
    from sqlalchemy import insert

    from weipian.storage.tables import case_persons, cases, rectifications

    now = dt.datetime(2022, 12, 1, tzinfo=dt.UTC)
    with store.writing() as s:
        patch = find_patch(s, code)
        s.execute(
            insert(rectifications).values(
                patch_id=patch.id, state=state, responsible_unit=patch.township_code, responsible_person="李某",
                measures=["拆除复耕"], deadline=dt.date(2023, 3, 1), illegal_area_m2=5000.0,
                illegal_farmland_m2=4000.0, demolished_m2=demolished, demolished_farmland_m2=demolished * 0.8,
                regularised_m2=regularised, regularised_farmland_m2=regularised * 0.8,
                remaining_m2=5000.0 - demolished - regularised, method="combined", major_case=True,
                opened_by="admin", opened_at=now, updated_at=now,
            )
        )  # fmt: skip
        case_id = s.execute(
            insert(cases)
            .values(
                patch_id=patch.id, kind="land", case_no="南自然资罚〔2022〕1号", filed_on=dt.date(2022, 12, 1),
                fine_yuan=1000.0, created_by="admin", created_at=now, updated_by="admin", updated_at=now,
            )
            .returning(cases.c.id)
        ).scalar_one()  # fmt: skip
        s.execute(
            insert(case_persons).values(
                case_id=case_id, name="王某", outcome="discipline", confirmed_by="admin"
            )
        )
        s.execute(
            insert(case_persons).values(case_id=case_id, name="赵某", outcome="judicial")
        )  # not confirmed


def test_ledger_figures_come_from_the_ledger(county: Store) -> None:
    ledger_row(county, "P0000", demolished=1000.0, regularised=500.0)
    c = stats(county).summary.county
    assert (c.in_ledger, c.rectified, c.unrectified) == (1, 0, 1)  # 3500 m² still unrectified
    assert (c.rectified_area_m2, c.demolished_area_m2, c.regularised_area_m2) == (1500.0, 1000.0, 500.0)
    assert c.unrectified_area_m2 == 3500.0 and c.rectified_farmland_m2 == 1200.0
    assert c.rectification_rate_area_pct == 30.0  # 1200 of the 4000 m² 耕地
    assert (c.cases_filed, c.discipline, c.judicial, c.filing_rate_pct) == (1, 1, 0, 100.0)
    assert_county_is_sum(stats(county))


def test_fully_rectified_and_closed_out(county: Store) -> None:
    ledger_row(county, "P0000", demolished=3000.0, regularised=2000.0, state="closed")
    c = stats(county).summary.county
    assert (c.rectified, c.unrectified, c.combined, c.closed_out, c.close_out_rate_pct) == (1, 0, 1, 1, 100.0)
    assert c.rectification_rate_count_pct == 100.0 and c.unrectified_farmland_m2 == 0.0


def test_ledger_services_feed_the_figures(county: Store, tmp_path: Path) -> None:
    """Through the ledger's own services: 上报, open the record, progress; the stats follow."""
    from weipian.services.ledger import AreaInput, open_record, record_progress

    at = dt.datetime(2022, 12, 1, tzinfo=dt.UTC)
    with county.writing() as s:
        workflow.review(s, find_patch(s, "P0000"), passed=True, reasons=["pass.field_photos"], actor=ADMIN,
                        rules=RULES, on=TODAY)  # fmt: skip
        workflow.report(s, find_patch(s, "P0000"), actor=ADMIN)
        pid = find_patch(s, "P0000").id
        open_record(s, pid, responsible="李某", measures=["拆除复耕"], deadline=dt.date(2023, 3, 1), actor=ADMIN,
                    rules=RULES, on=TODAY, at=at)  # fmt: skip
    record_progress(
        county, tmp_path / "files", pid, areas=AreaInput(demolished=2000.0, demolished_farmland=1600.0),
        note="已拆除部分", photos=[], actor=ADMIN, on=TODAY, at=at, max_bytes=10**7, max_distance_m=100.0,
    )  # fmt: skip
    c = stats(county).summary.county
    assert (c.in_ledger, c.rectified, c.rectified_area_m2, c.rectified_farmland_m2) == (1, 0, 2000.0, 1600.0)
    assert c.unrectified_area_m2 == 3000.0 and c.rectification_rate_area_pct == 40.0
