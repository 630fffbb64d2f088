"""Responsibility units as data (issue 13 item 6): the seeded units, a unit account's scope
resolved to its townships in every service, the refusals, and older accounts after the upgrade.

small_county: P0000 in 洪濑镇 (HONGLAI), P0001 in 洪梅镇 (HONGMEI), P0002 restricted, no township.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import func, select, text

from factories import HONGLAI, HONGMEI, small_county
from ledger_helpers import ADMIN, RULES, TODAY, _open, illegal, reported
from weipian.domain.organisation import UnitKind
from weipian.domain.roles import Role
from weipian.domain.workflow import Action
from weipian.errors import Conflict, InputError, NotFound, PermissionDenied
from weipian.services import ledger
from weipian.services.access import scope_of
from weipian.services.admin import init_store
from weipian.services.case_records import visible_patch
from weipian.services.due import reminders
from weipian.services.ledger_records import find_record, list_records
from weipian.services.queries.patches import PatchFilter, list_patches
from weipian.services.queries.scope import get_patch
from weipian.services.stats import compute_stats
from weipian.services.units import add_unit, all_units, find_unit, update_unit_record
from weipian.services.users import Account, account_by_name, add_user
from weipian.storage.migrate import _config
from weipian.storage.store import Store
from weipian.storage.tables import unit_townships, units, users
from weipian.storage.workflow import find_patch

PW = "long-enough-1"


def _office(store: Store, covers: tuple[str, ...] = (HONGLAI,), code: str = "ZYS01") -> None:
    with store.writing() as s:
        add_unit(s, code=code, name="测试资源管理所", kind=UnitKind.resource_office, covers=covers)


def _account(store: Store, name: str, **kw: str) -> Account:
    with store.writing() as s:
        add_user(s, username=name, role=Role(kw.pop("role", "township")), password=PW, **kw)  # type: ignore[arg-type]
    with store.reading() as s:
        return account_by_name(s, name)


def test_the_county_units_are_seeded_once_and_kept_as_edited(store: Store) -> None:
    with store.reading() as s:
        found = {u.code: u for u in all_units(s)}
    assert len([u for u in found.values() if u.kind is UnitKind.township]) == 26
    assert found["350583113"].townships == {"350583113"}
    assert (found["350583400"].name, found["350583400"].kind) == (
        "雪峰华侨经济开发区",
        UnitKind.development_zone,
    )
    assert (found["NAKFQ"].name, found["NAKFQ"].townships) == ("南安经济开发区", frozenset())
    assert found["STFJ"].kind is UnitKind.branch and found["STFJ"].townships == {"350583119"}
    assert {u.code for u in found.values() if u.kind is UnitKind.section} == {"ZFJCDD", "GDBHK"}
    with store.writing() as s:
        update_unit_record(s, "STFJ", name="水头分局（改）", covers=["350583119", "350583120"])
    init_store(store)  # weipian init again: the bureau's edit stays
    with store.reading() as s:
        stfj = find_unit(s, "STFJ")
        assert (stfj.name, stfj.townships) == ("水头分局（改）", {"350583119", "350583120"})
        assert s.scalar(select(func.count()).select_from(units)) == len(found)


def test_bad_units_are_refused_and_nothing_changes(store: Store) -> None:
    bad: list[tuple[dict[str, object], type[Exception], str]] = [
        (dict(code="水头所", name="x", kind=UnitKind.resource_office), InputError, "unit.code_invalid"),
        (dict(code="ZYS02", name=" ", kind=UnitKind.resource_office), InputError, "unit.name_invalid"),
        (dict(code="ZYS02", name="x", kind=UnitKind.township), InputError, "unit.township_kind"),
        (dict(code="STFJ", name="x", kind=UnitKind.branch), Conflict, "unit.exists"),
        (dict(code="KS9", name="x", kind=UnitKind.section, covers=[HONGLAI]), InputError, "unit.section_townships"),
        (dict(code="ZYS02", name="x", kind=UnitKind.resource_office, covers=[HONGLAI, "350583999"]),
         InputError, "unit.township_unknown"),
    ]  # fmt: skip
    for kw, error, code in bad:
        with pytest.raises(error) as exc, store.writing() as s:
            add_unit(s, **kw)  # type: ignore[arg-type]
        assert exc.value.code == code  # type: ignore[attr-defined]
    with pytest.raises(InputError) as exc2, store.writing() as s:
        update_unit_record(s, HONGLAI, covers=[HONGLAI, HONGMEI])  # a township covers itself only
    assert exc2.value.code == "unit.township_covers_itself"
    with pytest.raises(NotFound), store.writing() as s:
        update_unit_record(s, "NOSUCH", name="x")
    with store.reading() as s:
        assert find_unit(s, HONGLAI).townships == {HONGLAI}
        assert (
            s.scalar(select(func.count()).select_from(units).where(units.c.code.in_(["ZYS02", "KS9"]))) == 0
        )


def test_a_unit_account_sees_and_acts_on_its_townships_only(store: Store, tmp_path: Path) -> None:
    small_county(store, tmp_path)
    _office(store)  # covers 洪濑镇 only
    zys = _account(store, "zys", unit="ZYS01")
    assert (zys.unit_code, zys.covers, zys.township_code) == ("ZYS01", {HONGLAI}, None)
    scope = scope_of(zys)
    with store.reading() as s:
        own, other, secret = (find_patch(s, c).id for c in ("P0000", "P0001", "P0002"))
        assert get_patch(s, own, scope).patch_code == "P0000"
        for pid in (other, secret):  # another unit's patch: 404, like one that does not exist
            with pytest.raises(NotFound):
                get_patch(s, pid, scope)
            with pytest.raises(NotFound):
                visible_patch(s, pid, zys.actor)
        listed = list_patches(s, PatchFilter(), scope=scope, today=TODAY)
        assert {r.patch_code for r in listed.rows} == {"P0000"}
    assert zys.actor.may(Action.determination_submit, HONGLAI)
    assert not zys.actor.may(Action.determination_submit, HONGMEI)

    # The ledger: it opens 洪濑镇's record, never 洪梅镇's, and finds only its own.
    p0, p1 = reported(store, "P0000", illegal()), reported(store, "P0001", illegal())
    with pytest.raises(PermissionDenied) as exc:
        _open(store, p0, actor=zys.actor, unit=HONGMEI)  # responsibility put on another unit
    assert exc.value.code == "ledger.unit_foreign"
    _open(store, p0, actor=zys.actor)
    with pytest.raises(PermissionDenied):
        _open(store, p1, actor=zys.actor)
    _open(store, p1, actor=ADMIN)
    with store.reading() as s:
        with pytest.raises(NotFound):
            find_record(s, p1, zys.actor)
        assert find_record(s, p0, zys.actor) is not None
        mine = list_records(s, townships=scope.townships)
        assert [r.patch_code for r in mine] == ["P0000"]
        assert {r.patch_code for r in list_records(s, unit="ZYS01", townships=frozenset({HONGLAI}))} == {
            "P0000"
        }


def test_the_unit_of_an_account_decides_at_once(store: Store, tmp_path: Path) -> None:
    """Widening the unit widens its accounts' scope; deactivating it leaves them nothing."""
    small_county(store, tmp_path)
    _office(store)
    _account(store, "zys", unit="ZYS01")
    with store.writing() as s:
        update_unit_record(s, "ZYS01", covers=[HONGLAI, HONGMEI])
    with store.reading() as s:
        zys = account_by_name(s, "zys")
        listed = list_patches(s, PatchFilter(), scope=scope_of(zys), today=TODAY)
    assert zys.covers == {HONGLAI, HONGMEI}
    assert {r.patch_code for r in listed.rows} == {"P0000", "P0001"}  # never the restricted P0002
    with store.writing() as s:
        update_unit_record(s, "ZYS01", active=False)
    with store.reading() as s:
        zys = account_by_name(s, "zys")
        assert scope_of(zys).nothing and not zys.actor.may(Action.determination_submit, HONGLAI)
        assert list_patches(s, PatchFilter(), scope=scope_of(zys), today=TODAY).rows == []


@pytest.mark.parametrize(
    ("kw", "code"),
    [
        ({"unit": "NOSUCH"}, "user.unit_unknown"),
        ({"unit": "ZFJCDD"}, "user.unit_section"),  # a section covers no township
        ({"unit": "STFJ", "township": HONGLAI}, "user.unit_township_mismatch"),
        ({"role": "bureau_reviewer", "unit": "STFJ"}, "user.unit_only"),
        ({"role": "department", "unit": "ZFJCDD", "department": "林业"}, "user.unit_only"),
        ({"role": "township"}, "user.township_needed"),
    ],
)
def test_accounts_with_a_wrong_unit_are_refused(store: Store, kw: dict[str, str], code: str) -> None:
    with pytest.raises(InputError) as exc:
        _account(store, "x1", **kw)
    assert exc.value.code == code
    with store.reading() as s:
        assert s.scalar(select(func.count()).select_from(users)) == 0


def test_a_section_account_takes_no_township_action(store: Store, tmp_path: Path) -> None:
    small_county(store, tmp_path)
    leader = _account(store, "ks", role="leader", unit="ZFJCDD")  # a section's staff: recorded, no scope
    assert (leader.unit_code, leader.unit_name, leader.covers) == ("ZFJCDD", "执法监察大队", frozenset())
    assert not leader.actor.may(Action.determination_save, HONGLAI)
    with store.writing() as s:
        add_user(s, username="ks2", role=Role.township, password=PW, unit="STFJ")
        # Data changed later (the unit inactive): its account can do nothing anywhere.
        update_unit_record(s, "STFJ", active=False)
    with store.reading() as s:
        ks2 = account_by_name(s, "ks2")
    assert not any(ks2.actor.may(a, t) for a in Action for t in (HONGLAI, HONGMEI, "350583119"))
    pid = reported(store, "P0000", illegal())
    with pytest.raises(PermissionDenied), store.writing() as s:
        ledger.open_record(s, pid, actor=ks2.actor, rules=RULES, on=TODAY, at=dt.datetime.now(dt.UTC),
                           responsible="张三", measures=["罚款"], deadline=dt.date(2023, 3, 1))  # fmt: skip


def test_due_and_stats_follow_the_unit(store: Store, tmp_path: Path) -> None:
    small_county(store, tmp_path)
    _office(store, covers=(HONGLAI, HONGMEI))
    with store.reading() as s:
        units_due = reminders(s, today=dt.date(2022, 11, 12), unit="ZYS01")
        town_due = reminders(s, today=dt.date(2022, 11, 12), unit=HONGLAI)
        with pytest.raises(InputError):
            reminders(s, today=dt.date(2022, 11, 12), unit="NOSUCH")
    assert [(u.unit, u.name) for u in units_due] == [("ZYS01", "测试资源管理所")]
    assert sorted(i.patch_code for i in units_due[0].due_soon) == ["P0000", "P0001"]  # not P0002
    assert [i.patch_code for i in town_due[0].due_soon] == ["P0000"]
    with store.reading() as s:
        unit = compute_stats(s, RULES, on=TODAY, unit="ZYS01")
        town = compute_stats(s, RULES, on=TODAY, unit=HONGLAI)
        county = compute_stats(s, RULES, on=TODAY)
        with pytest.raises(InputError) as exc:
            compute_stats(s, RULES, on=TODAY, unit="ZFJCDD")
    assert exc.value.code == "stats.unit_section"
    assert {u.code for u in unit.summary.units} == {HONGLAI, HONGMEI}
    assert town.summary.county.patches == 1
    assert unit.summary.county.patches == 2 < county.summary.county.patches


def test_older_township_accounts_keep_their_scope_after_the_upgrade(store: Store, tmp_path: Path) -> None:
    """An account made before units (no unit_code) is scoped to its township after the upgrade."""
    small_county(store, tmp_path)
    cfg = _config(store.engine)
    before = ScriptDirectory.from_config(cfg).get_revision("2026_12_03_org_units").down_revision
    assert isinstance(before, str)
    command.downgrade(cfg, before)
    with store.writing() as s:
        s.execute(
            text(
                "INSERT INTO users (username, display_name, password_hash, role, township_code, active, "
                "created_at) VALUES ('old', '老账号', 'x', 'township', :t, :a, :at)"
            ),
            {"t": HONGLAI, "a": True, "at": dt.datetime(2022, 11, 1, tzinfo=dt.UTC)},
        )
    init_store(store)
    with store.reading() as s:
        assert s.scalar(select(users.c.unit_code).where(users.c.username == "old")) == HONGLAI
        assert s.scalar(select(func.count()).select_from(unit_townships)) >= 27
        old = account_by_name(s, "old")
        assert (old.unit_code, old.covers, old.unit_name) == (HONGLAI, {HONGLAI}, "洪濑镇")
        listed = list_patches(s, PatchFilter(), scope=scope_of(old), today=TODAY)
    assert {r.patch_code for r in listed.rows} == {"P0000"}
