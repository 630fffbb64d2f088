"""The verification workflow on both backends: transitions, validation, the append-only log,
permissions, lists, 月清 and the offline Excel round trip."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DatabaseError

from factories import HONGLAI, HONGMEI, small_county
from weipian.domain.roles import Actor, Role
from weipian.errors import InputError, PermissionDenied, TransitionRefused
from weipian.rules import ApprovalClaim, Determination, load_rules
from weipian.services import workflow
from weipian.services.lists import HousingRow, ReturnedRow, closure, special_list
from weipian.services.sheets import export_template, import_sheet
from weipian.storage.store import Store
from weipian.storage.tables import determinations, events, suggestions
from weipian.storage.workflow import current_determination, find_patch, patch_events

RULES = load_rules()
TODAY = dt.date(2022, 11, 20)
ADMIN = Actor("管理员", Role.bureau_admin)
REVIEWER = Actor("审核员", Role.bureau_reviewer)


def illegal(area: float = 500.0, **kw: Any) -> Determination:
    base: dict[str, Any] = dict(
        verdict="违法", subtype=None, opinion="未批先建", project_name=None, project_owner="张某",
        build_date=dt.date(2022, 6, 1), field_description="新建砖混结构房屋", approvals=(),
        violation_type="违法占地", illegal_area_m2=area, farmland_area_m2=area, basic_farmland_area_m2=0.0,
        is_new=True, is_mining=False, mineral_verdict=None, mineral_handling=None, farmland_housing=False,
        farmland_housing_class=None,
    )  # fmt: skip
    base.update(kw)
    return Determination(**base)


@pytest.fixture
def county(store: Store, tmp_path: Path) -> Store:
    return small_county(store, tmp_path)  # type: ignore[no-any-return]


def _patch(store: Store, code: str) -> Any:
    with store.reading() as s:
        return find_patch(s, code)


def _count(store: Store, table: Any) -> int:
    with store.reading() as s:
        return int(s.scalar(select(func.count()).select_from(table)) or 0)


def test_issued_to_reported_and_frozen(county: Store) -> None:
    with county.reading() as s:
        assert s.scalar(select(func.count()).select_from(suggestions)) == 3
    with county.writing() as s:
        assert (
            workflow.save_determination(
                s, find_patch(s, "P0000"), illegal(), actor=ADMIN, rules=RULES, on=TODAY
            )
            == 1
        )
        workflow.submit(s, find_patch(s, "P0000"), actor=ADMIN)
        workflow.review(
            s,
            find_patch(s, "P0000"),
            passed=True,
            reasons=["pass.field_photos"],
            actor=REVIEWER,
            rules=RULES,
            on=TODAY,
        )
        workflow.report(s, find_patch(s, "P0000"), actor=REVIEWER)
    assert _patch(county, "P0000").state == "reported"
    with pytest.raises(InputError) as info, county.writing() as s:
        workflow.save_determination(
            s, find_patch(s, "P0000"), illegal(400), actor=ADMIN, rules=RULES, on=TODAY
        )
    assert info.value.code == "patch.frozen"
    with county.writing() as s:
        v = workflow.correct(
            s, find_patch(s, "P0000"), illegal(400), reason="面积复核", actor=REVIEWER, rules=RULES, on=TODAY
        )
    assert v == 2
    with county.reading() as s:
        p = find_patch(s, "P0000")
        evs = patch_events(s, p.id)
        det = current_determination(s, p.id)
    assert [e.action for e in evs] == [
        "determination.save", "determination.submit", "review.pass", "report.submit", "record.correct",
    ]  # fmt: skip
    assert [(e.state_before, e.state_after) for e in evs][:4] == [
        ("issued", "verifying"), ("verifying", "submitted"), ("submitted", "county_passed"),
        ("county_passed", "reported"),
    ]  # fmt: skip
    assert (
        evs[-1].payload["old"]["illegal_area_m2"] == 500.0
        and evs[-1].payload["new"]["illegal_area_m2"] == 400.0
    )
    assert det is not None and det.version == 2 and p.state == "reported"


def test_refused_steps_write_nothing(county: Store) -> None:
    before = _count(county, events)
    with pytest.raises(TransitionRefused), county.writing() as s:
        workflow.review(
            s, find_patch(s, "P0000"), passed=True, reasons=[], actor=REVIEWER, rules=RULES, on=TODAY
        )
    with pytest.raises(InputError) as info, county.writing() as s:
        workflow.save_determination(
            s, find_patch(s, "P0000"), illegal(violation_type=None), actor=ADMIN, rules=RULES, on=TODAY
        )
    assert info.value.code == "determination.invalid"
    with pytest.raises(InputError) as info, county.writing() as s:
        workflow.save_determination(
            s, find_patch(s, "P0000"), illegal(10**7), actor=ADMIN, rules=RULES, on=TODAY
        )
    assert info.value.code == "determination.invalid"
    with pytest.raises(InputError) as info, county.writing() as s:
        workflow.submit(s, find_patch(s, "P0000"), actor=ADMIN)
    assert info.value.code == "determination.missing"
    with pytest.raises(PermissionDenied), county.writing() as s:
        other = Actor("洪梅镇核查员", Role.township, "350583114")
        workflow.save_determination(s, find_patch(s, "P0000"), illegal(), actor=other, rules=RULES, on=TODAY)
    assert _count(county, events) == before and _count(county, determinations) == 0
    assert _patch(county, "P0000").state == "issued"


def test_event_log_is_append_only(county: Store) -> None:
    with county.writing() as s:
        workflow.save_determination(s, find_patch(s, "P0000"), illegal(), actor=ADMIN, rules=RULES, on=TODAY)
    for sql in (
        "UPDATE events SET actor = 'x'",
        "DELETE FROM events",
        "UPDATE determinations SET verdict = '合法'",
    ):
        with pytest.raises(DatabaseError), county.writing() as s:
            s.execute(text(sql))
    assert _count(county, events) == 1


def test_lists_and_monthly_closure(county: Store) -> None:
    township = Actor("洪濑镇核查员", Role.township, HONGLAI)
    with county.writing() as s:
        workflow.save_determination(
            s, find_patch(s, "P0000"), illegal(farmland_housing=True, farmland_housing_class="住宅类（单户）"),
            actor=township, rules=RULES, on=TODAY,
        )  # fmt: skip
        workflow.submit(s, find_patch(s, "P0000"), actor=township)
        workflow.review(
            s,
            find_patch(s, "P0000"),
            passed=False,
            reasons=["return.need_field_photos"],
            actor=REVIEWER,
            rules=RULES,
            on=TODAY,
        )
    with county.reading() as s:
        housing = special_list(s, "housing", on=TODAY)
        military = special_list(s, "military", on=TODAY)
        returned = special_list(s, "returned", on=TODAY)
        overdue = special_list(s, "overdue", on=TODAY)
        months = closure(s)
    assert [(r.patch_code, isinstance(r, HousingRow) and r.confirmed) for r in housing][:1] == [
        ("P0000", True)
    ]
    assert [r.patch_code for r in military] == ["P0002"]
    assert isinstance(back := returned[0], ReturnedRow)
    assert back.patch_code == "P0000" and back.reasons == ("return.need_field_photos",)
    # The 补正期限 comes from the dated rules (county_correction_days), not the old deadline.
    days = RULES.whole("county_correction_days", TODAY)
    assert back.due_on == TODAY + dt.timedelta(days=days) and days == 5
    assert sorted(r.patch_code for r in overdue) == ["P0001", "P0002"]  # due 2022-11-16, still open
    # ``weipian lists show --json`` prints these keys, in this order (INTERFACE.md)
    common = ["JCBH", "source", "township_code", "township", "area_m2", "state", "suggestion", "determination",
              "priority"]  # fmt: skip
    assert list(military[0].as_json()) == common
    assert list(housing[0].as_json()) == [
        *common,
        "confirmed",
        "housing_class",
        "farmland_area_m2",
        "basic_farmland_area_m2",
    ]
    assert list(overdue[0].as_json()) == [*common, "due_on", "days_overdue"]
    assert back.as_json()["reasons"] == ["return.need_field_photos"]
    assert list(back.as_json()) == [*common, "reasons", "due_on", "days_left"]
    assert {(m.month, m.issued) for m in months} >= {("2022-11", 1)}
    assert sum(m.issued for m in months) == 3


def _fill(path: Path, values: dict[str, dict[str, Any]]) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    codes = [c.value for c in ws[3]]
    for row in ws.iter_rows(min_row=4):
        code = row[codes.index("JCBH")].value
        for field, value in values.get(code, {}).items():
            row[codes.index(field)].value = value
    wb.save(path)


def test_excel_round_trip(county: Store, tmp_path: Path) -> None:
    path = tmp_path / "填报.xlsx"
    assert export_template(county, path, rules=RULES, on=TODAY, township=HONGLAI) == 1
    assert (
        openpyxl.load_workbook(path).active["A1"].value == f"卫片图斑合法性判定填报表（全部批次，{HONGLAI}）"
    )
    _fill(
        path,
        {
            "P0000": {
                "PDJG": "违法",
                "WFLX": "违法占地",
                "WFMJ": 300,
                "WFZYGDMJ": 300,
                "XZ": "新增",
                "RDYJ": "未批先建",
            }
        },
    )
    township = Actor("洪濑镇核查员", Role.township, HONGLAI)
    assert import_sheet(county, path, actor=township, rules=RULES, on=TODAY, submit=True).saved == 1
    assert _patch(county, "P0000").state == "submitted"
    assert current_determination_data(county, "P0000")["farmland_area_m2"] == 300

    # A sheet with a bad row writes nothing and reports every bad row.
    path2 = tmp_path / "全部.xlsx"
    assert export_template(county, path2, rules=RULES, on=TODAY) == 1  # P0002 is military: never in a file
    _fill(path2, {"P0001": {"PDJG": "违法"}})  # no WFLX, no areas
    wb = openpyxl.load_workbook(path2)
    wb.active.append(["NOPE", "部卫片", 2022, "350583", None, None, None, None, None, "违法"])
    wb.save(path2)
    before = _count(county, events)
    with pytest.raises(InputError) as info:
        import_sheet(county, path2, actor=ADMIN, rules=RULES, on=TODAY)
    assert info.value.code == "sheet.rejected"
    assert sorted((r.id, r.code) for r in info.value.params["rejected"]) == [
        ("NOPE", "row.unknown_patch"), ("P0001", "row.invalid"),
    ]  # fmt: skip
    assert _count(county, events) == before
    with pytest.raises(InputError) as info:
        import_sheet(county, path2, actor=Actor("洪濑", Role.township, HONGLAI), rules=RULES, on=TODAY)
    assert sorted((r.id, r.code) for r in info.value.params["rejected"]) == [
        ("NOPE", "row.unknown_patch"), ("P0001", "row.other_township"),
    ]  # fmt: skip


def test_sheet_rows_that_cannot_be_read_say_why_in_chinese(county: Store, tmp_path: Path) -> None:
    """Every refused row travels as codes and is worded at the edge (the CLI's rejection list)."""
    from weipian.cli.output import rejections_json

    path = tmp_path / "填报.xlsx"
    assert export_template(county, path, rules=RULES, on=TODAY) == 2
    for cells, code, words in (
        ({"WFMJ": "五百"}, "row.sheet_number", "“违法用地面积（㎡）”应填数字（平方米），现为“五百”"),
        ({"PW": "用地审批 闽政地1号"}, "row.sheet_approvals", "批文“用地审批 闽政地1号”无法识别"),
        ({"WFMJ": "500"}, "row.invalid", "判定为违法时须填写违法类型；判定为违法时须注明新增或存量。"),
    ):
        _fill(path, {"P0000": {"PDJG": "违法", "WFMJ": None, "PW": None, **cells}})
        with pytest.raises(InputError) as info:
            import_sheet(county, path, actor=ADMIN, rules=RULES, on=TODAY)
        (row,) = [r for r in rejections_json(info.value.params["rejected"]) if r["id"] == "P0000"]
        assert row["code"] == code and words in row["message"], row
        assert not any(c.isascii() and c.isalpha() for c in row["message"].replace("P0000", "")), row


def current_determination_data(store: Store, code: str) -> dict[str, Any]:
    with store.reading() as s:
        det = current_determination(s, find_patch(s, code).id)
    assert det is not None
    return dict(det.data)


def test_sheet_blank_rows_are_skipped_and_filled_rows_all_or_nothing(county: Store, tmp_path: Path) -> None:
    path = tmp_path / "分批.xlsx"
    assert export_template(county, path, rules=RULES, on=TODAY) == 2  # P0000, P0001 (P0002: military)
    ws = openpyxl.load_workbook(path).active
    headers = {c.value: h.value for c, h in zip(ws[3], ws[2], strict=True)}
    assert (
        headers["WFZYGDMJ"] == "违法占用耕地面积（㎡）"
        and headers["WFZYJBNTMJ"] == "违法占用永久基本农田面积（㎡）"
    )
    assert "GDMJ" not in headers  # GDMJ is the desk figure everywhere else
    # Only P0000 filled in this round: P0001 is blank, skipped and counted, not refused.
    _fill(path, {"P0000": {"PDJG": "违法", "WFLX": "违法占地", "WFMJ": 300, "WFZYGDMJ": 200,
                           "WFZYJBNTMJ": 250, "XZ": "新增", "RDYJ": "未批先建"}})  # fmt: skip
    result = import_sheet(county, path, actor=ADMIN, rules=RULES, on=TODAY)
    assert (result.saved, result.blank) == (1, 1)
    data = current_determination_data(county, "P0000")
    assert (data["farmland_area_m2"], data["basic_farmland_area_m2"]) == (200, 250)  # 永农 may exceed 耕地
    # A filled row that is wrong still stops every filled row.
    path2 = tmp_path / "第二批.xlsx"
    export_template(county, path2, rules=RULES, on=TODAY)
    _fill(path2, {"P0000": {"PDJG": "伪变化", "RDYJ": "阴影"}, "P0001": {"PDJG": "违法"}})
    before = _count(county, events)
    with pytest.raises(InputError) as info:
        import_sheet(county, path2, actor=ADMIN, rules=RULES, on=TODAY)
    assert [r.id for r in info.value.params["rejected"]] == ["P0001"]
    assert _count(county, events) == before


def test_sheet_with_the_old_area_codes_still_reads(county: Store, tmp_path: Path) -> None:
    path = tmp_path / "旧模板.xlsx"
    export_template(county, path, rules=RULES, on=TODAY, township=HONGLAI)
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    for cell in ws[3]:
        if cell.value in ("WFZYGDMJ", "WFZYJBNTMJ"):
            cell.value = {"WFZYGDMJ": "GDMJ", "WFZYJBNTMJ": "JBNTMJ"}[cell.value]  # a sheet from before
    wb.save(path)
    _fill(path, {"P0000": {"PDJG": "违法", "WFLX": "违法占地", "WFMJ": 300, "GDMJ": 120, "XZ": "新增"}})
    assert import_sheet(county, path, actor=ADMIN, rules=RULES, on=TODAY).saved == 1
    assert current_determination_data(county, "P0000")["farmland_area_m2"] == 120


def test_approval_claim_route(county: Store) -> None:
    legal = Determination(
        verdict="合法", subtype="用地审批", opinion="已办理农转用", project_name="某项目", project_owner=None,
        build_date=None, field_description=None,
        approvals=(ApprovalClaim(route="用地审批", doc_no="闽政地〔2021〕1号", ratio_pct=100.0),),
        violation_type=None, illegal_area_m2=None, farmland_area_m2=None, basic_farmland_area_m2=None,
        is_new=None, is_mining=False, mineral_verdict=None, mineral_handling=None, farmland_housing=False,
        farmland_housing_class=None,
    )  # fmt: skip
    with county.writing() as s:
        workflow.save_determination(s, find_patch(s, "P0001"), legal, actor=ADMIN, rules=RULES, on=TODAY)
    with county.reading() as s:
        det = current_determination(s, find_patch(s, "P0001").id)
    assert (
        det is not None
        and det.verdict == "合法"
        and det.data["approvals"][0]["doc_no"] == "闽政地〔2021〕1号"
    )


def test_monthly_closure_counts_beijing_days_and_returns(
    county: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """月清 (batch issued 2022-11-01): done by the end of November in Beijing time, and not sent
    back afterwards within the month."""
    clock = {"now": dt.datetime(2022, 11, 20, 2, 0, tzinfo=dt.UTC)}
    monkeypatch.setattr(workflow, "_now", lambda: clock["now"])

    def file(code: str, actor: Actor, at: dt.datetime) -> None:
        clock["now"] = at
        with county.writing() as s:
            workflow.save_determination(s, find_patch(s, code), illegal(), actor=actor, rules=RULES, on=TODAY)
            workflow.submit(s, find_patch(s, code), actor=actor)

    utc = dt.UTC
    file("P0000", Actor("洪濑镇核查员", Role.township, HONGLAI), dt.datetime(2022, 11, 20, 2, 0, tzinfo=utc))
    clock["now"] = dt.datetime(2022, 11, 25, 3, 0, tzinfo=utc)
    with county.writing() as s:  # returned within the month: not done
        workflow.review(s, find_patch(s, "P0000"), passed=False, reasons=["return.need_field_photos"],
                        actor=REVIEWER, rules=RULES, on=TODAY)  # fmt: skip
    # 2022-11-30 17:00 UTC is 2022-12-01 01:00 in Beijing: December, not November.
    file("P0001", Actor("洪梅镇核查员", Role.township, HONGMEI), dt.datetime(2022, 11, 30, 17, 0, tzinfo=utc))
    # 2022-11-30 15:00 UTC is 23:00 in Beijing: still November.
    file("P0002", ADMIN, dt.datetime(2022, 11, 30, 15, 0, tzinfo=utc))
    with county.reading() as s:
        months = {(m.township, m.month): (m.issued, m.determined) for m in closure(s)}
    assert months == {
        ("洪濑镇", "2022-11"): (1, 0),
        ("洪梅镇", "2022-11"): (1, 0),
        ("（未归属）", "2022-11"): (1, 1),
    }
    clock["now"] = dt.datetime(2022, 11, 28, 1, 0, tzinfo=utc)
    file("P0000", Actor("洪濑镇核查员", Role.township, HONGLAI), clock["now"])  # corrected and filed again
    with county.reading() as s:
        assert {(m.township, m.determined) for m in closure(s, "洪濑镇")} == {("洪濑镇", 1)}


def test_a_mineral_patch_needs_its_mineral_determination_before_submit(county: Store) -> None:
    """一图两用、地矿同核: SFSK 是 (delivered) or a mineral suggestion → no submit without the mineral part."""
    from weipian.storage.tables import patches

    with county.writing() as s:
        s.execute(patches.update().where(patches.c.patch_code == "P0000").values(is_mining="是"))
        s.execute(
            suggestions.update()
            .where(suggestions.c.patch_id == find_patch(s, "P0001").id)
            .values(mineral_verdict="无证开采")
        )
    for code, town in (("P0000", HONGLAI), ("P0001", HONGMEI)):
        actor = Actor("核查员", Role.township, town)
        with county.writing() as s:
            workflow.save_determination(s, find_patch(s, code), illegal(), actor=actor, rules=RULES, on=TODAY)
        before = _count(county, events)
        with pytest.raises(InputError) as info, county.writing() as s:
            workflow.submit(s, find_patch(s, code), actor=actor)
        assert info.value.code == "determination.mineral_required"
        assert _count(county, events) == before and _patch(county, code).state == "verifying"
        mineral = illegal(is_mining=True, mineral_verdict="无证开采", mineral_handling="立案")
        with county.writing() as s:
            workflow.save_determination(s, find_patch(s, code), mineral, actor=actor, rules=RULES, on=TODAY)
            workflow.submit(s, find_patch(s, code), actor=actor)
        assert _patch(county, code).state == "submitted"
