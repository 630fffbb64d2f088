"""The case register (立案查处) on both backends: file → 处罚 → persons (suggested by the judge's
flags, confirmed by a person) → 结案; roles, townships, bad dates and amounts, stale versions, and
that a refused step writes nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from factories import HONGLAI, small_county
from ledger_helpers import ADMIN, AT, HL, HM, LEADER, REVIEWER, RULES, TODAY, illegal, reported
from weipian.domain.cases import CaseKind, Outcome
from weipian.domain.roles import Actor
from weipian.errors import Conflict, InputError, NotFound, PermissionDenied
from weipian.rules import Determination
from weipian.services import cases, workflow
from weipian.services.case_records import find_case, list_cases
from weipian.storage.store import Store
from weipian.storage.tables import case_persons, events
from weipian.storage.tables import cases as cases_table
from weipian.storage.workflow import find_patch, patch_events


@pytest.fixture
def county(store: Store, tmp_path: Path) -> dict[str, int]:
    small_county(store, tmp_path)
    # P0000: 12 亩 of 耕地 determined 违法 — above the crime threshold (10 亩); P0001: no 耕地.
    big = illegal(8000, 7000)
    return {"P0000": reported(store, "P0000", big), "P0001": reported(store, "P0001", illegal(200, 0))}


def _open(store: Store, pid: int, actor: Actor = REVIEWER, **kw: Any) -> cases.CaseRecord:
    args: dict[str, Any] = {"case_no": "南自然资立〔2022〕101号", "filed_on": dt.date(2022, 11, 25)}
    args.update(kw)
    with store.writing() as s:
        return cases.open_case(s, pid, actor=actor, rules=RULES, on=TODAY, at=AT, **args)


def _update(
    store: Store, pid: int, actor: Actor = REVIEWER, based_on: int | None = None, **changes: Any
) -> Any:
    with store.writing() as s:
        return cases.update_case(
            s, pid, changes=changes, actor=actor, rules=RULES, on=TODAY, at=AT, based_on=based_on
        )


def _count(store: Store, table: Any) -> int:
    with store.reading() as s:
        return int(s.scalar(select(func.count()).select_from(table)) or 0)


def test_file_decide_hold_persons_and_close(store: Store, county: dict[str, int]) -> None:
    pid = county["P0000"]
    with store.reading() as s:
        state_before = str(find_patch(s, "P0000").state)
    c = _open(store, pid)
    assert (c.kind, c.fields.case_no, c.stage.value, c.version) == (
        CaseKind.land,
        "南自然资立〔2022〕101号",
        "filed",
        1,
    )
    # 10.5 亩 of 耕地 outside 永农 reach the crime threshold: a suggestion, not a fact.
    assert [(p.outcome, p.suggested_by, p.confirmed) for p in c.persons] == [
        (Outcome.judicial, "crime_threshold", False)
    ]
    assert c.persons[0].name == "" and c.persons[0].detail  # the threshold reason travels along
    with store.reading() as s:  # the patch keeps its workflow state
        assert str(find_patch(s, "P0000").state) == state_before

    c = _update(store, pid, decision_no="南自然资罚〔2022〕7号", decision_on=dt.date(2022, 11, 28),
                fine_yuan=15000, confiscated_yuan=2000.5, confiscated_area_m2=120, confiscation="地上建筑物")  # fmt: skip
    assert (c.stage.value, c.fields.fine_yuan, c.fields.confiscated_area_m2, c.version) == (
        "decided",
        15000.0,
        120.0,
        2,
    )

    with store.writing() as s:
        c = cases.add_person(s, pid, name="李某", position="某村党支部书记", outcome="党纪处分", actor=REVIEWER,
                             rules=RULES, on=TODAY, at=AT, detail="党内警告")  # fmt: skip
    assert [(p.name, p.outcome, p.confirmed_by) for p in c.confirmed_persons] == [
        ("李某", Outcome.discipline, "shenhe")
    ]

    with pytest.raises(InputError) as pending, store.writing() as s:  # a suggestion still waits
        cases.close_case(
            s, pid, closed_on=dt.date(2022, 11, 30), actor=REVIEWER, rules=RULES, on=TODAY, at=AT
        )
    assert pending.value.code == "case.suggestions_pending"

    suggestion = c.pending_suggestions[0].id
    with pytest.raises(InputError) as noname, store.writing() as s:  # a suggestion has no name yet
        cases.confirm_person(s, pid, suggestion, actor=REVIEWER, at=AT)
    assert noname.value.code == "case.person_name_needed"
    with store.writing() as s:
        c = cases.confirm_person(s, pid, suggestion, name="张某", position="项目业主", actor=ADMIN, at=AT)
    assert sorted((p.name, p.outcome.value, p.suggested_by) for p in c.confirmed_persons) == [
        ("张某", "judicial", "crime_threshold"), ("李某", "discipline", None),
    ]  # fmt: skip
    with pytest.raises(Conflict), store.writing() as s:  # confirmed once
        cases.confirm_person(s, pid, suggestion, name="王某", actor=ADMIN, at=AT)

    with store.writing() as s:
        c = cases.close_case(
            s, pid, closed_on=dt.date(2022, 11, 30), actor=REVIEWER, rules=RULES, on=TODAY, at=AT
        )
    assert (c.stage.value, c.fields.closed_on) == ("closed", dt.date(2022, 11, 30))
    with pytest.raises(Conflict) as closed:
        _update(store, pid, fine_yuan=1)
    assert closed.value.code == "case.closed_already"

    with store.reading() as s:
        actions = [(e.action, e.actor, e.state_before == e.state_after) for e in patch_events(s, pid)][-5:]
    assert actions == [
        ("case.open", "shenhe", True), ("case.update", "shenhe", True), ("case.person", "shenhe", True),
        ("case.person", "admin", True), ("case.close", "shenhe", True),
    ]  # fmt: skip


def test_dismissing_a_suggestion_keeps_it_in_the_events(store: Store, county: dict[str, int]) -> None:
    pid = county["P0000"]
    c = _open(store, pid)
    sid = c.pending_suggestions[0].id
    with pytest.raises(InputError), store.writing() as s:
        cases.dismiss_suggestion(s, pid, sid, reason=" ", actor=REVIEWER, at=AT)
    with store.writing() as s:
        c = cases.dismiss_suggestion(
            s, pid, sid, reason="经查系历史遗留，未达到立案追诉标准", actor=REVIEWER, at=AT
        )
    assert c.persons == ()
    with store.reading() as s:
        last = patch_events(s, pid)[-1]
    assert (last.action, last.payload["op"], last.payload["outcome"]) == (
        "case.person",
        "dismiss",
        "judicial",
    )


@pytest.mark.parametrize(
    ("changes", "codes"),
    [
        (
            {"decision_no": "罚〔2022〕1号", "decision_on": dt.date(2022, 11, 1)},
            ["case.decision_before_filing"],
        ),
        ({"decision_no": "罚〔2022〕1号"}, ["case.decision_incomplete"]),
        ({"filed_on": dt.date(2022, 12, 2)}, ["case.date_future"]),
        ({"fine_yuan": -5}, ["case.amount_negative"]),
        ({"confiscated_yuan": float("nan")}, ["case.amount_negative"]),
        ({"confiscated_area_m2": 8000.5}, ["case.confiscated_over_illegal"]),  # the illegal area is 8000 m²
        ({"case_no": "  "}, ["case.number_needed"]),
        ({"case_no": "立〔2022〕1号\n=1+1"}, ["case.number_bad_char"]),
    ],
)
def test_bad_values_are_refused_and_nothing_is_written(
    store: Store, county: dict[str, int], changes: dict[str, Any], codes: list[str]
) -> None:
    pid = county["P0000"]
    _open(store, pid)
    n_events = _count(store, events)
    with pytest.raises(InputError) as exc:
        _update(store, pid, **changes)
    if exc.value.code == "case.invalid":
        assert exc.value.params["codes"] == codes
    else:
        assert [exc.value.code] == codes
    assert _count(store, events) == n_events
    with store.reading() as s:
        c = find_case(s, pid, ADMIN)
    assert c is not None and (c.version, c.fields.fine_yuan, c.fields.decision_no) == (1, None, None)


def test_closing_before_filing_is_refused(store: Store, county: dict[str, int]) -> None:
    pid = county["P0000"]
    _open(store, pid)
    _update(store, pid, decision_no="罚〔2022〕1号", decision_on=dt.date(2022, 11, 27))
    for day, code in ((dt.date(2022, 11, 20), "case.closed_before_filing"),
                      (dt.date(2022, 11, 26), "case.closed_before_decision")):  # fmt: skip
        with pytest.raises(InputError) as exc, store.writing() as s:
            cases.close_case(s, pid, closed_on=day, actor=REVIEWER, rules=RULES, on=TODAY, at=AT)
        assert exc.value.params["codes"] == [code]


def test_roles_townships_and_visibility(store: Store, county: dict[str, int]) -> None:
    pid = county["P0000"]  # 洪濑镇
    n_events = _count(store, events)
    with pytest.raises(PermissionDenied) as own:  # a township files no case, not even its own
        _open(store, pid, HL)
    assert own.value.code == "case.forbidden"
    with pytest.raises(NotFound):  # another township's patch: as if it did not exist
        _open(store, pid, HM)
    with pytest.raises(PermissionDenied):
        _open(store, pid, LEADER)
    assert _count(store, events) == n_events and _count(store, cases_table) == 0

    _open(store, pid)
    with pytest.raises(PermissionDenied):
        _update(store, pid, HL, fine_yuan=100)
    with pytest.raises(PermissionDenied), store.writing() as s:
        cases.add_person(s, pid, name="某", outcome="组织处理", actor=HL, rules=RULES, on=TODAY, at=AT)
    with store.reading() as s:
        assert find_case(s, pid, HL) is not None  # read-only for the own township
        with pytest.raises(NotFound):
            find_case(s, pid, HM)
        assert [c.patch_code for c in list_cases(s, townships={HONGLAI})] == ["P0000"]


def test_patches_not_illegal_or_not_reviewed_are_refused(store: Store, tmp_path: Path) -> None:
    small_county(store, tmp_path)
    legal = illegal(verdict="合法", violation_type=None, illegal_area_m2=None, farmland_area_m2=None,
                    basic_farmland_area_m2=None, opinion=None, approvals=())  # fmt: skip
    with store.writing() as s:
        p0 = find_patch(s, "P0000")
        workflow.save_determination(s, p0, illegal(), actor=ADMIN, rules=RULES, on=TODAY)
        pid0 = int(p0.id)
    with pytest.raises(InputError) as early:  # 违法 but still being verified
        _open(store, pid0)
    assert early.value.code == "case.not_reviewed"
    try:
        pid1 = reported(store, "P0001", legal)
    except InputError:  # the rule data wants more for 合法; a saved draft is enough here
        with store.writing() as s:
            p1 = find_patch(s, "P0001")
            workflow.save_determination(s, p1, _draft_legal(), actor=ADMIN, rules=RULES, on=TODAY)
            pid1 = int(p1.id)
    with pytest.raises(InputError) as not_illegal:
        _open(store, pid1)
    assert not_illegal.value.code == "case.not_illegal"
    assert _count(store, cases_table) == 0


def _draft_legal() -> Determination:
    return illegal(verdict="伪变化", violation_type=None, illegal_area_m2=None, farmland_area_m2=None,
                   basic_farmland_area_m2=None, opinion="实地未发生变化")  # fmt: skip


def test_case_numbers_are_unique_and_one_case_a_patch(store: Store, county: dict[str, int]) -> None:
    _open(store, county["P0000"], case_no="立-1")
    with pytest.raises(Conflict) as taken:
        _open(store, county["P0001"], case_no="立-1")
    assert taken.value.code == "case.number_taken"
    with pytest.raises(Conflict) as twice:
        _open(store, county["P0000"], case_no="立-2")
    assert twice.value.code == "case.exists"
    _open(store, county["P0001"], case_no="立-2")
    with pytest.raises(Conflict):  # renaming onto another case's number
        _update(store, county["P0001"], case_no="立-1")
    assert _count(store, cases_table) == 2


def test_a_stale_version_is_refused(store: Store, county: dict[str, int]) -> None:
    pid = county["P0000"]
    c = _open(store, pid)
    _update(store, pid, based_on=c.version, fine_yuan=100)  # version 1 → 2
    with pytest.raises(Conflict) as stale:  # a second editor still on version 1
        _update(store, pid, based_on=c.version, fine_yuan=200, actor=ADMIN)
    assert stale.value.code == "case.stale" and stale.value.params["by"] == "shenhe"
    with store.reading() as s:
        now = find_case(s, pid, ADMIN)
    assert now is not None and (now.fields.fine_yuan, now.version) == (100.0, 2)


def test_mineral_case_and_unknown_outcome(store: Store, tmp_path: Path) -> None:
    small_county(store, tmp_path)
    mineral = illegal(is_mining=True, mineral_verdict="无证开采", mineral_handling="立案")
    pid = reported(store, "P0000", mineral)
    c = _open(store, pid, kind="矿产")
    assert c.kind is CaseKind.mineral
    with pytest.raises(InputError) as bad, store.writing() as s:
        cases.add_person(s, pid, name="某", outcome="警告", actor=REVIEWER, rules=RULES, on=TODAY, at=AT)
    assert bad.value.code == "case.outcome_unknown"
    with store.writing() as s:
        c = cases.add_person(
            s, pid, name="某", outcome="organisational", actor=REVIEWER, rules=RULES, on=TODAY, at=AT
        )
    assert [p.outcome for p in c.confirmed_persons] == [Outcome.organisational]
    with store.reading() as s:
        assert [x.patch_code for x in list_cases(s, kind=CaseKind.mineral)] == ["P0000"]
        assert list_cases(s, kind=CaseKind.land) == []
    assert _count(store, case_persons) == 1  # 500 m² reach no threshold: no suggestion


def test_annual_case_figures_read_the_register(store: Store, county: dict[str, int]) -> None:
    """立案, 结案, 处分 and 移送 in the statistics and table 5 of the annual report come from the
    cases the services wrote; an unconfirmed suggestion counts nowhere."""
    from stats_paths import both_paths
    from weipian.stats.tables import case_table

    def figures() -> Any:
        return both_paths(store, RULES, on=TODAY, year=2022)  # the SQL sums agree too

    base = figures().summary.county
    assert (base.cases_filed, base.cases_closed, base.judicial) == (0, 0, 0)
    pid = county["P0000"]
    _open(store, pid)  # with the crime suggestion, unconfirmed
    _open(store, county["P0001"], case_no="立-2")
    c = figures().summary.county
    assert (c.cases_filed, c.cases_closed, c.discipline, c.judicial, c.filing_rate_pct) == (2, 0, 0, 0, 100.0)

    with store.writing() as s:
        sid = cases.add_person(s, pid, name="李某", outcome="党纪政务处分", actor=REVIEWER, rules=RULES, on=TODAY,
                               at=AT).pending_suggestions[0].id  # fmt: skip
        cases.confirm_person(s, pid, sid, name="张某", actor=REVIEWER, at=AT)
        cases.close_case(
            s, pid, closed_on=dt.date(2022, 11, 30), actor=REVIEWER, rules=RULES, on=TODAY, at=AT
        )
    result = figures()
    c = result.summary.county
    assert (c.cases_filed, c.cases_closed, c.discipline, c.judicial, c.closing_rate_pct) == (2, 1, 1, 1, 50.0)
    land, mineral = case_table(result.records, 2022)
    assert (land.filed, land.closed, land.open_at_end, land.discipline, land.judicial) == (2, 1, 1, 1, 1)
    assert (mineral.filed, mineral.closed) == (0, 0)
