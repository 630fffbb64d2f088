"""The rectification ledger on both backends: open → progress → 销号 request → 市局 decision →
reopen, the area checks, roles and townships, and that a refused step writes nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DatabaseError

from factories import HONGLAI, HONGMEI, small_county
from ledger_helpers import (
    ADMIN,
    AT,
    HL,
    HM,
    LEADER,
    RULES,
    TODAY,
    _decide,
    _open,
    _progress,
    _request,
    illegal,
    reported,
)
from photos import field_photo, minimal_pdf
from weipian.errors import Conflict, InputError, NotFound, PermissionDenied, TransitionRefused
from weipian.services import ledger
from weipian.services.ledger_records import find_record, history
from weipian.storage.store import Store
from weipian.storage.tables import (
    attachments,
    close_out_requests,
    events,
    ledger_files,
    rectification_progress,
    rectifications,
)
from weipian.storage.workflow import find_patch, patch_events


@pytest.fixture
def county(store: Store, tmp_path: Path) -> dict[str, int]:
    small_county(store, tmp_path)
    return {"P0000": reported(store, "P0000", illegal()), "P0001": reported(store, "P0001", illegal(200, 0))}


def _count(store: Store, table: Any) -> int:
    with store.reading() as s:
        return int(s.scalar(select(func.count()).select_from(table)) or 0)


def _state(store: Store, code: str) -> str:
    with store.reading() as s:
        return str(find_patch(s, code).state)


def test_open_progress_close_out_and_reopen(store: Store, county: dict[str, int], tmp_path: Path) -> None:
    files = tmp_path / "files"
    pid = county["P0000"]
    r = _open(store, pid)
    assert (r.state.value, r.responsible_unit, r.illegal_area_m2, r.illegal_farmland_m2) == (
        "rectifying", HONGLAI, 500.0, 300.0,
    )  # fmt: skip
    assert r.measures == ("拆除复耕", "罚款") and r.remaining_m2 == 500.0
    assert _state(store, "P0000") == "rectifying"

    r = _progress(
        store, files, pid, photos=[("整改1.jpg", field_photo())], demolished=200, demolished_farmland=150
    )
    assert (r.areas.demolished, r.remaining_m2, r.method.value) == (200.0, 300.0, "demolish_restore")
    # Totals to date: the second entry replaces the demolished area and adds 补办.
    r = _progress(
        store, files, pid, demolished=300, demolished_farmland=200, regularised=200, regularised_farmland=100
    )
    assert (r.rectified_area_m2, r.remaining_m2, r.method.value) == (500.0, 0.0, "combined")

    r = _request(
        store, files, pid, [("整改后.jpg", field_photo(colour=(9, 9, 9))), ("复垦验收.pdf", minimal_pdf())]
    )
    assert r.state.value == "requested"
    with pytest.raises(Conflict) as exc:  # no second request, no progress while it waits
        _progress(store, files, pid, note="补充")
    assert exc.value.code == "ledger.request_pending"

    with pytest.raises(InputError) as bad:  # a pass reason from the wrong list
        _decide(store, pid, True, "return.not_rectified")
    assert bad.value.code == "ledger.reason_unknown"
    r = _decide(store, pid, False, "return.need_after_photos")
    assert r.state.value == "rectifying" and _state(store, "P0000") == "rectifying"
    _request(store, files, pid, [("整改后2.jpg", field_photo(colour=(8, 8, 8)))])
    r = _decide(store, pid, True, "pass.rectified_verified")
    assert (r.state.value, r.closed_on) == ("closed", TODAY)
    assert _state(store, "P0000") == "closed"

    with pytest.raises(PermissionDenied), store.writing() as s:  # only the 市局 reopens
        ledger.reopen(s, pid, reason="复查发现复建", actor=HL, at=AT)
    with pytest.raises(InputError), store.writing() as s:
        ledger.reopen(s, pid, reason="  ", actor=ADMIN, at=AT)
    with store.writing() as s:
        r = ledger.reopen(s, pid, reason="复查发现复建", actor=ADMIN, at=AT)
    assert (r.state.value, r.closed_on, _state(store, "P0000")) == ("rectifying", None, "rectifying")

    with store.reading() as s:
        actions = [(e.action, e.actor) for e in patch_events(s, pid)][-8:]
        entries, requests = history(s, r)
    assert actions == [
        ("rectification.start", "hl01"), ("rectification.progress", "hl01"), ("rectification.progress", "hl01"),
        ("close_out.request", "hl01"), ("close_out.return", "shenhe"), ("close_out.request", "hl01"),
        ("close_out.approve", "shenhe"), ("close_out.reopen", "admin"),
    ]  # fmt: skip
    assert [len(e.photos) for e in entries] == [1, 0]
    assert entries[0].photos[0].checks and entries[0].photos[0].failed == 0  # the field-evidence checks ran
    assert [(c.decision.value if c.decision else None, c.reason_code, len(c.files)) for c in requests] == [
        ("returned", "return.need_after_photos", 2), ("approved", "pass.rectified_verified", 1),
    ]  # fmt: skip
    assert _count(store, ledger_files) == 4


@pytest.mark.parametrize(
    ("areas", "codes"),
    [
        ({"demolished": 400, "regularised": 200}, ["ledger.area_over_illegal"]),
        ({"demolished": 100, "demolished_farmland": 120}, ["ledger.farmland_over_part"]),
        (
            {"demolished": 300, "demolished_farmland": 250, "regularised": 100, "regularised_farmland": 100},
            ["ledger.farmland_over_illegal"],
        ),
        ({"demolished": -1}, ["ledger.area_negative"]),
        (
            {"demolished": 600, "demolished_farmland": 700},
            ["ledger.area_over_illegal", "ledger.farmland_over_part", "ledger.farmland_over_illegal"],
        ),
    ],
)
def test_inconsistent_areas_are_refused_and_nothing_is_written(
    store: Store, county: dict[str, int], tmp_path: Path, areas: dict[str, float], codes: list[str]
) -> None:
    files = tmp_path / "files"
    _open(store, county["P0000"])
    before = (_count(store, events), _count(store, attachments))
    with pytest.raises(InputError) as exc:
        _progress(store, files, county["P0000"], photos=[("a.jpg", field_photo())], **areas)
    assert exc.value.code == "ledger.areas_invalid" and exc.value.params["codes"] == codes
    assert (_count(store, events), _count(store, attachments), _count(store, rectification_progress)) == (
        *before,
        0,
    )
    assert not files.exists() or not any((files / "evidence").glob("*"))  # the photo file was removed too
    with store.reading() as s:
        r = find_record(s, county["P0000"], ADMIN)
    assert r is not None and r.remaining_m2 == 500.0


def test_close_out_refused_while_unrectified_or_without_evidence(
    store: Store, county: dict[str, int], tmp_path: Path
) -> None:
    files = tmp_path / "files"
    pid = county["P0000"]
    _open(store, pid)
    _progress(store, files, pid, demolished=450)
    with pytest.raises(InputError) as exc:
        _request(store, files, pid, [("a.jpg", field_photo())])
    assert exc.value.code == "ledger.unrectified" and exc.value.params["remaining"] == "50.00"
    _progress(store, files, pid, demolished=500)
    with pytest.raises(InputError) as exc:
        _request(store, files, pid, [])
    assert exc.value.code == "ledger.evidence_needed"
    with pytest.raises(InputError):  # a text file is not evidence
        _request(store, files, pid, [("说明.txt", "已整改".encode())])
    assert _count(store, close_out_requests) == 0 and _count(store, attachments) == 0
    with pytest.raises(InputError) as exc:  # nothing to decide yet
        _decide(store, pid, True, None)
    assert exc.value.code == "ledger.no_request"


def test_roles_and_townships(store: Store, county: dict[str, int], tmp_path: Path) -> None:
    files = tmp_path / "files"
    with pytest.raises(PermissionDenied):  # 洪梅镇 may not open 洪濑镇's record
        _open(store, county["P0000"], actor=HM)
    with pytest.raises(PermissionDenied):
        _open(store, county["P0000"], actor=LEADER)
    with pytest.raises(PermissionDenied):  # nor point the responsibility at another unit
        _open(store, county["P0000"], unit=HONGMEI)
    _open(store, county["P0000"])
    with pytest.raises(Conflict):
        _open(store, county["P0000"], actor=ADMIN)
    with pytest.raises(PermissionDenied):
        _progress(store, files, county["P0000"], actor=HM, demolished=500)
    _progress(store, files, county["P0000"], demolished=500)
    _request(store, files, county["P0000"], [("a.jpg", field_photo())])
    for who in (HL, HM, LEADER):  # a township account never approves 销号
        with pytest.raises(PermissionDenied) as exc:
            _decide(store, county["P0000"], True, None, actor=who)
    assert exc.value.code == "ledger.decide_forbidden"
    _decide(store, county["P0000"], True, None, actor=ADMIN)  # the admin may, with no reason
    with pytest.raises(NotFound):  # the military patch does not exist for a township
        _open(store, 3, actor=HL)


def test_open_needs_an_illegal_reported_patch_and_valid_plan(store: Store, tmp_path: Path) -> None:
    small_county(store, tmp_path)
    with store.reading() as s:
        pid = int(find_patch(s, "P0000").id)
    with pytest.raises(TransitionRefused):  # not reported yet
        _open(store, pid, actor=ADMIN)
    legal_other = illegal(verdict="其他", subtype="边角细缝", violation_type=None, illegal_area_m2=None,
                          farmland_area_m2=None, opinion="边角细缝")  # fmt: skip
    reported(store, "P0000", legal_other)
    with pytest.raises(InputError) as exc:
        _open(store, pid, actor=ADMIN)
    assert exc.value.code == "ledger.not_illegal"
    pid1 = reported(store, "P0001", illegal(200, 0))
    bad: list[tuple[dict[str, Any], str]] = [
        ({"measures": ["推倒重来"]}, "ledger.measure_unknown"),
        ({"measures": [" "]}, "ledger.measures_needed"),
        ({"responsible": "  "}, "ledger.responsible_needed"),
        ({"deadline": dt.date(2022, 1, 1)}, "ledger.deadline_early"),
        ({"unit": "999999999"}, "ledger.unit_unknown"),
        ({"responsible": "<script>x</script>" * 10}, "ledger.too_long"),
    ]
    for kw, code in bad:
        with pytest.raises(InputError) as exc:
            _open(store, pid1, actor=ADMIN, **kw)
        assert exc.value.code == code, kw
    assert _count(store, rectifications) == 0 and _state(store, "P0001") == "reported"
    r = _open(store, pid1, actor=ADMIN, measures=["补办手续", "罚款", "罚款"])  # alias, repeated label
    assert r.measures == ("补办用地手续", "罚款") and r.illegal_farmland_m2 == 0.0


def test_progress_entries_are_append_only(store: Store, county: dict[str, int], tmp_path: Path) -> None:
    _open(store, county["P0000"])
    _progress(store, tmp_path / "f", county["P0000"], demolished=10)
    for sql in ("UPDATE rectification_progress SET demolished_m2 = 0", "DELETE FROM rectification_progress"):
        with pytest.raises(DatabaseError), store.writing() as s:
            s.execute(text(sql))


def test_plan_update_keeps_old_values_in_the_event(store: Store, county: dict[str, int]) -> None:
    _open(store, county["P0000"])
    with store.writing() as s:
        r = ledger.update_plan(
            s,
            county["P0000"],
            actor=HL,
            rules=RULES,
            on=TODAY,
            at=AT,
            deadline=dt.date(2023, 6, 30),
            major_case=True,
        )
    assert (r.deadline, r.major_case) == (dt.date(2023, 6, 30), True)
    with store.reading() as s:
        last = patch_events(s, county["P0000"])[-1]
    assert last.action == "rectification.update"
    assert last.payload == {"old": {"deadline": "2023-03-01", "major_case": False},
                            "new": {"deadline": "2023-06-30", "major_case": True}}  # fmt: skip
