"""Reminders per unit (``weipian due``): due within 7 days, overdue, 销号 requests waiting."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from factories import HONGLAI, HONGMEI, small_county
from ledger_helpers import _open, _progress, _request, illegal, reported
from photos import field_photo
from weipian.domain.referrals import ReferralKind
from weipian.domain.roles import Role
from weipian.errors import InputError
from weipian.services.due import UnitDue, count_by_kind, reminders
from weipian.services.referrals import refer
from weipian.services.users import add_user
from weipian.storage.store import Store


def _kinds(units: list[UnitDue], which: str) -> dict[str | None, list[tuple[str, str, int]]]:
    return {u.unit: [(i.kind, i.patch_code, i.days_left) for i in getattr(u, which)] for u in units}


def test_due_soon_overdue_and_waiting(store: Store, tmp_path: Path) -> None:
    small_county(store, tmp_path)  # issued 2022-11-01: verification due 2022-11-16
    with store.reading() as s:
        assert reminders(s, today=dt.date(2022, 11, 1)) == []  # 15 days ahead: nothing within 7
    with store.reading() as s:
        units = reminders(s, today=dt.date(2022, 11, 12))
    assert _kinds(units, "due_soon") == {
        HONGLAI: [("verification", "P0000", 4)], HONGMEI: [("verification", "P0001", 4)],
        None: [("verification", "P0002", 4)],
    }  # fmt: skip

    pid = reported(store, "P0000", illegal())
    _open(store, pid, deadline=dt.date(2022, 12, 5))
    with store.writing() as s:
        admin = add_user(s, username="admin", role=Role.bureau_admin, password="long-enough-1")
    refer(
        store,
        pid,
        kind=ReferralKind.referral,
        department="林业",
        matter="占用林地",
        actor=admin,
        today=dt.date(2022, 9, 20),
    )  # due 11-20
    with store.reading() as s:
        units = reminders(s, today=dt.date(2022, 11, 30))
    assert _kinds(units, "overdue") == {
        HONGLAI: [("referral", "P0000", -10)], HONGMEI: [("verification", "P0001", -14)],
        None: [("verification", "P0002", -14)],
    }  # fmt: skip
    assert _kinds(units, "due_soon")[HONGLAI] == [("rectification", "P0000", 5)]
    assert units[0].overdue[0].detail == "林业"

    files = tmp_path / "files"
    _progress(store, files, pid, demolished=500)
    _request(store, files, pid, [("a.jpg", field_photo())])
    with store.reading() as s:
        units = reminders(s, today=dt.date(2022, 12, 3), unit=HONGLAI)
    (u,) = units
    assert [(i.kind, i.patch_code) for i in u.waiting] == [("close_out", "P0000")]
    assert [i.kind for i in u.due_soon] == []  # a requested record no longer runs on its deadline
    assert count_by_kind(units)["waiting"] == {"close_out": 1}
    with pytest.raises(InputError), store.reading() as s:
        reminders(s, today=dt.date(2022, 12, 3), unit="350583999")
