"""Referrals and feedback through the service, on both backends: who may refer and answer, the
department list, restricted patches, the feedback series until 办结, the open and overdue lists,
townships referring their own patches, the 非粮化 worklist."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select

from factories import small_county
from weipian.domain.referrals import ReferralKind, ReferralStatus
from weipian.domain.roles import Role
from weipian.errors import Conflict, InputError, NotFound, PermissionDenied
from weipian.services.referrals import (
    feedback_entries,
    give_feedback,
    list_referrals,
    non_grain_worklist,
    refer,
)
from weipian.services.users import Account, add_user
from weipian.storage.store import Store
from weipian.storage.tables import referrals, suggestions
from weipian.storage.workflow import find_patch

TODAY = dt.date(2026, 12, 31)
NOW = dt.datetime(2027, 1, 5, 2, 0, tzinfo=dt.UTC)


def account(name: str, role: Role, department: str | None = None) -> Account:
    return Account(
        id=0, username=name, display_name=name, role=role, township_code=None, department=department,
        active=True, created_at=NOW,
    )  # fmt: skip


ADMIN = account("admin", Role.bureau_admin)
REVIEWER = account("reviewer", Role.bureau_reviewer)
LEADER = account("leader", Role.leader)
FORESTRY = account("forest", Role.department, "林业局")  # an alias: the account's department is 林业
FARMING = account("farm", Role.department, "农业农村")


@pytest.fixture
def county(store: Store, tmp_path: Path) -> dict[str, int]:
    small_county(store, tmp_path)
    with store.reading() as session:
        return {c: find_patch(session, c).id for c in ("P0000", "P0001", "P0002")}


def _count(store: Store) -> int:
    with store.reading() as session:
        return int(session.scalar(select(func.count()).select_from(referrals)) or 0)


def test_refer_and_answer_once(store: Store, county: dict[str, int]) -> None:
    r = refer(
        store,
        county["P0000"],
        kind="transfer",
        department="农业农村局",
        matter="疑似非粮化，请依法处理",
        actor=REVIEWER,
        today=TODAY,
    )
    assert (r.kind, r.department, r.patch_code) == (ReferralKind.transfer, "农业农村", "P0000")
    assert r.due_on == dt.date(2027, 2, 28)  # 31 Dec + 2 months, end of February
    assert r.referred_by == "reviewer" and r.feedback is None and not r.restricted
    assert r.status(dt.date(2027, 2, 28)) is ReferralStatus.open
    assert r.status(dt.date(2027, 3, 1)) is ReferralStatus.overdue

    with pytest.raises(NotFound):  # another department's liaison: as if it did not exist
        give_feedback(store, r.id, text="已处理", actor=FORESTRY, now=NOW)
    with pytest.raises(PermissionDenied):  # a reviewer refers but does not answer for a department
        give_feedback(store, r.id, text="已处理", actor=REVIEWER, now=NOW)
    with pytest.raises(InputError) as exc:
        give_feedback(store, r.id, text="   ", actor=FARMING, now=NOW)
    assert exc.value.code == "referral.feedback_needed"

    done = give_feedback(store, r.id, text="已立案查处，责令恢复种植条件", actor=FARMING, now=NOW)
    assert (done.feedback, done.feedback_by) == ("已立案查处，责令恢复种植条件", "farm")
    assert done.status(dt.date(2027, 6, 1)) is ReferralStatus.answered
    with pytest.raises(Conflict) as exc2:  # feedback is given once; corrections are refused
        give_feedback(store, r.id, text="更正", actor=ADMIN, now=NOW)
    assert exc2.value.code == "referral.feedback_given"
    with store.reading() as session:
        assert list_referrals(session, today=TODAY)[0].feedback == "已立案查处，责令恢复种植条件"


def test_who_may_refer_and_what(store: Store, county: dict[str, int]) -> None:
    pid = county["P0001"]
    for who in (LEADER, FORESTRY):
        with pytest.raises(PermissionDenied):
            refer(store, pid, kind="referral", department="林业", matter="占用林地", actor=who, today=TODAY)
    cases = [
        ("referral", "教育局", "referral.department_unknown"),
        ("referral", "纪委监委", "referral.kind_refused"),  # 纪委监委 takes transfers only
        ("transfer", "生态环境", "referral.kind_refused"),
        ("handover", "林业", "referral.kind_unknown"),
    ]
    for kind, dept, code in cases:
        with pytest.raises(InputError) as exc:
            refer(store, pid, kind=kind, department=dept, matter="事项", actor=ADMIN, today=TODAY)
        assert exc.value.code == code
    with pytest.raises(InputError) as exc:
        refer(store, pid, kind="referral", department="林业", matter=" ", actor=ADMIN, today=TODAY)
    assert exc.value.code == "referral.matter_needed"
    with pytest.raises(InputError):
        refer(store, pid, kind="referral", department="林业", matter="长" * 2001, actor=ADMIN, today=TODAY)
    with pytest.raises(NotFound):
        refer(store, 999999, kind="referral", department="林业", matter="事项", actor=ADMIN, today=TODAY)
    assert _count(store) == 0  # nothing written by any refusal


def test_restricted_patch_goes_offline_except_to_internal_sections(
    store: Store, county: dict[str, int]
) -> None:
    secret = county["P0002"]
    with pytest.raises(PermissionDenied) as exc:
        refer(
            store, secret, kind="referral", department="林业", matter="军事用地内", actor=ADMIN, today=TODAY
        )
    assert exc.value.code == "referral.restricted"
    assert _count(store) == 0
    r = refer(
        store,
        secret,
        kind="referral",
        department="执法监察大队",
        matter="请列入机要台账",
        actor=ADMIN,
        today=TODAY,
    )
    assert r.restricted and r.department == "执法监察大队"
    liaison = account("team", Role.department, "执法监察大队")
    with pytest.raises(NotFound):  # a liaison never acts on a restricted patch
        give_feedback(store, r.id, text="收到", actor=liaison, now=NOW)
    assert give_feedback(store, r.id, text="已线下办理", actor=ADMIN, now=NOW).feedback_by == "admin"


def test_lists_open_overdue_and_by_department(store: Store, county: dict[str, int]) -> None:
    old = refer(
        store,
        county["P0000"],
        kind="referral",
        department="林业",
        matter="占用林地",
        actor=ADMIN,
        today=dt.date(2026, 10, 1),
    )
    new = refer(
        store,
        county["P0001"],
        kind="referral",
        department="水利",
        matter="侵占河道",
        actor=ADMIN,
        today=dt.date(2026, 12, 1),
    )
    answered = refer(
        store,
        county["P0001"],
        kind="referral",
        department="林业",
        matter="占用林地",
        actor=ADMIN,
        today=dt.date(2026, 9, 1),
    )
    give_feedback(store, answered.id, text="已查处", actor=ADMIN, now=NOW)
    today = dt.date(2027, 1, 10)
    with store.reading() as session:

        def ids(**kw: object) -> list[int]:
            return [r.id for r in list_referrals(session, today=today, **kw)]  # type: ignore[arg-type]

        assert ids() == [old.id, new.id, answered.id]  # oldest due first, answered last
        assert ids(status="open") == [old.id, new.id]
        assert ids(status="overdue") == [old.id]  # due 2026-12-01, no feedback: stays listed
        assert ids(department="林业局") == [old.id, answered.id]
        assert ids(department="水利", status="overdue") == []
        with pytest.raises(InputError):
            ids(department="教育局")


def test_a_department_account_names_a_listed_department(store: Store) -> None:
    with store.writing() as session:
        a = add_user(session, username="lin", role=Role.department, password="x" * 10, department="林业局")
        assert a.department == "林业"  # stored under its listed name
        for dept, code in ((None, "user.department_needed"), ("教育局", "user.department_unknown")):
            with pytest.raises(InputError) as exc:
                add_user(session, username="d2", role=Role.department, password="x" * 10, department=dept)
            assert exc.value.code == code
        with pytest.raises(InputError) as exc:
            add_user(session, username="d3", role=Role.leader, password="x" * 10, department="林业")
        assert exc.value.code == "user.department_only"


def test_feedback_is_a_series_until_done(store: Store, county: dict[str, int]) -> None:
    """接收, 受理, 办理中 keep the referral open (and overdue once past its day); 办结 ends it."""
    r = refer(
        store,
        county["P0000"],
        kind="transfer",
        department="农业农村",
        matter="非粮化",
        actor=ADMIN,
        today=dt.date(2026, 10, 1),
    )
    later = dt.datetime(2027, 1, 2, 2, 0, tzinfo=dt.UTC)
    for stage, text in (("接收", "已收到移交函"), ("受理", "已受理"), ("办理中", "已责令恢复种植")):
        r = give_feedback(store, r.id, text=text, actor=FARMING, now=later, stage=stage)
        assert r.feedback_at is None and r.status(TODAY) is ReferralStatus.overdue  # due 2026-12-01
    with pytest.raises(InputError) as exc:
        give_feedback(store, r.id, text="x", actor=FARMING, now=later, stage="结束")
    assert exc.value.code == "referral.stage_unknown"
    with pytest.raises(NotFound):  # a department the referral was not sent to
        give_feedback(store, r.id, text="已办结", actor=FORESTRY, now=later, stage="办结")
    with store.reading() as session:
        assert [i.id for i in list_referrals(session, today=TODAY, status="overdue")] == [r.id]
    r = give_feedback(
        store, r.id, text="已办结", actor=FARMING, now=later, stage="办结", result="已恢复种植条件"
    )
    assert (
        r.feedback == "已办结\n办理结果：已恢复种植条件" and r.status(TODAY) is ReferralStatus.answered_late
    )
    with pytest.raises(Conflict):  # nothing after 办结
        give_feedback(store, r.id, text="补充", actor=FARMING, now=later, stage="办理中")
    with store.reading() as session:
        entries = feedback_entries(session, r.id)
        assert list_referrals(session, today=TODAY, status="open") == []
    assert [(e.stage.value, e.given_by) for e in entries] == [
        ("received", "farm"), ("accepted", "farm"), ("in_progress", "farm"), ("done", "farm"),
    ]  # fmt: skip


def test_townships_refer_their_own_patches(store: Store, county: dict[str, int]) -> None:
    hl = Account(id=0, username="hl01", display_name="hl01", role=Role.township, township_code="350583113",
                 department=None, active=True, created_at=NOW, unit_code="350583113",
                 covers=frozenset({"350583113"}))  # fmt: skip
    r = refer(
        store, county["P0000"], kind="referral", department="林业", matter="占用林地", actor=hl, today=TODAY
    )
    assert r.referred_by == "hl01"
    with pytest.raises(PermissionDenied) as exc:  # 洪梅镇's patch
        refer(
            store,
            county["P0001"],
            kind="referral",
            department="林业",
            matter="占用林地",
            actor=hl,
            today=TODAY,
        )
    assert exc.value.code == "referral.foreign_township"
    with pytest.raises(NotFound):  # the military patch does not exist for a township
        refer(
            store,
            county["P0002"],
            kind="referral",
            department="执法监察大队",
            matter="x",
            actor=hl,
            today=TODAY,
        )
    assert _count(store) == 1


def test_non_grain_worklist_until_transferred(store: Store, county: dict[str, int]) -> None:
    with store.writing() as session:  # the rules flag 非粮化 on a crop change; here set on P0001
        session.execute(
            suggestions.update().where(suggestions.c.patch_id == county["P0001"]).values(flags=["non_grain"])
        )
    with store.reading() as session:
        assert [p["JCBH"] for p in non_grain_worklist(session)] == ["P0001"]
        assert non_grain_worklist(session, township="350583113") == []
    refer(
        store,
        county["P0001"],
        kind="referral",
        department="农业农村",
        matter="抄告不算移交",
        actor=ADMIN,
        today=TODAY,
    )
    with store.reading() as session:
        assert [p["JCBH"] for p in non_grain_worklist(session)] == ["P0001"]
    refer(
        store,
        county["P0001"],
        kind="transfer",
        department="农业农村",
        matter="非粮化移交",
        actor=ADMIN,
        today=TODAY,
    )
    with store.reading() as session:
        assert non_grain_worklist(session) == []
