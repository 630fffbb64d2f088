"""Before submission a photo can be deleted, replaced or given a note; after it, nothing changes.
On SQLite and PostGIS: rows, files on disk, the events that keep what was removed, refusals."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_workflow import RULES, TODAY, illegal

from factories import HONGLAI, HONGMEI, small_county
from photos import field_photo, minimal_pdf, photo
from weipian.domain.roles import Actor, Role
from weipian.errors import InputError, NotFound, PermissionDenied
from weipian.services import workflow
from weipian.services.evidence import (
    add_evidence,
    evidence_gaps,
    list_evidence,
    replace_evidence,
    set_evidence_note,
    withdraw_evidence,
)
from weipian.storage.evidence import preview_path
from weipian.storage.store import Store
from weipian.storage.workflow import find_patch, patch_events

MB = 2**20
HONGLAI_STAFF = Actor("honglai", Role.township, HONGLAI)
HONGMEI_STAFF = Actor("hongmei", Role.township, HONGMEI)
LEADER = Actor("lingdao", Role.leader)
REVIEWER = Actor("reviewer", Role.bureau_reviewer)


@pytest.fixture
def county(store: Store, tmp_path: Path) -> dict[str, int]:
    small_county(store, tmp_path / "county")
    with store.reading() as session:
        return {code: find_patch(session, code).id for code in ("P0000", "P0001")}


def _add(
    store: Store, files: Path, pid: int, data: bytes, name: str, actor: Actor = HONGLAI_STAFF, **kw: str
) -> int:
    ev = add_evidence(
        store,
        files,
        pid,
        filename=name,
        data=data,
        kind=kw.pop("kind", "photo"),
        actor=actor,
        max_bytes=25 * MB,
        max_distance_m=100.0,
        **kw,
    )  # type: ignore[arg-type]
    return ev.id


def _files(files: Path) -> list[str]:
    return sorted(p.name for p in (files / "evidence").iterdir() if p.is_file())


def _events(store: Store, pid: int) -> list[tuple[str, dict[str, object]]]:
    with store.reading() as session:
        return [(e.action, dict(e.payload or {})) for e in patch_events(session, pid)]


def test_delete_removes_row_and_file_and_keeps_the_record(
    store: Store, county: dict[str, int], tmp_path: Path
) -> None:
    files = tmp_path / "files"
    far = field_photo(dx=50, dy=1500, colour=(150, 40, 40))
    keep = _add(store, files, county["P0000"], field_photo(), "全景.jpg")
    gone = _add(store, files, county["P0000"], far, "远处.jpg", note="错拍")
    with store.reading() as session:
        stored = {e.id: e for e in list_evidence(session, county["P0000"])}
    assert len(_files(files)) == 2 and stored[gone].failed
    removed = withdraw_evidence(store, files, gone, actor=HONGLAI_STAFF)
    assert removed.original_name == "远处.jpg"
    with store.reading() as session:
        assert [e.id for e in list_evidence(session, county["P0000"])] == [keep]
    assert len(_files(files)) == 1  # the file went with its row …
    assert len(list((files / "previews").glob("*.jpg"))) == 1  # and its preview
    action, payload = _events(store, county["P0000"])[-1]  # … and the history keeps what it was
    assert action == "evidence.withdraw" and payload["name"] == "远处.jpg" and payload["note"] == "错拍"
    assert isinstance(payload["sha256"], str) and len(payload["sha256"]) == 64
    assert any(c["passed"] is False for c in payload["checks"])  # type: ignore[attr-defined]
    with pytest.raises(NotFound):
        withdraw_evidence(store, files, gone, actor=HONGLAI_STAFF)


@pytest.mark.parametrize("actor", [HONGMEI_STAFF, LEADER], ids=["other-township", "leader"])
def test_only_the_patch_township_or_the_bureau_may_delete(
    store: Store, county: dict[str, int], tmp_path: Path, actor: Actor
) -> None:
    files = tmp_path / "files"
    pid = _add(store, files, county["P0000"], field_photo(), "全景.jpg")
    for change in (
        lambda: withdraw_evidence(store, files, pid, actor=actor),
        lambda: set_evidence_note(store, pid, note="改", actor=actor),
        lambda: replace_evidence(
            store,
            files,
            pid,
            filename="新.jpg",
            data=field_photo(colour=(9, 9, 9)),
            actor=actor,
            max_bytes=25 * MB,
            max_distance_m=100.0,
        ),
    ):
        with pytest.raises(PermissionDenied):
            change()
    with store.reading() as session:
        assert len(list_evidence(session, county["P0000"])) == 1
    assert len(_files(files)) == 1
    withdraw_evidence(store, files, pid, actor=REVIEWER)  # the 市局 may
    assert _files(files) == []


def test_replace_swaps_the_file_in_one_step_and_keeps_the_note(
    store: Store, county: dict[str, int], tmp_path: Path
) -> None:
    files = tmp_path / "files"
    old = _add(store, files, county["P0000"], field_photo(dx=50, dy=1500), "远处.jpg", note="东侧全景")
    old_file = _files(files)
    new = replace_evidence(
        store,
        files,
        old,
        filename="重拍.jpg",
        data=field_photo(colour=(30, 160, 30)),
        actor=HONGLAI_STAFF,
        max_bytes=25 * MB,
        max_distance_m=100.0,
    )
    with store.reading() as session:
        (item,) = list_evidence(session, county["P0000"])
    assert item.id == new.id and item.original_name == "重拍.jpg" and item.note == "东侧全景"
    assert not item.failed and _files(files) != old_file and len(_files(files)) == 1
    assert not preview_path(files, old_file[0]).exists()
    actions = [a for a, _ in _events(store, county["P0000"])]
    assert actions[-2:] == ["evidence.withdraw", "field_check.record"]
    assert _events(store, county["P0000"])[-2][1]["replaced_by"] == "重拍.jpg"
    # A bad new file changes nothing: the old one stays, no stray file.
    with pytest.raises(InputError) as bad:
        replace_evidence(
            store,
            files,
            new.id,
            filename="假.jpg",
            data=b"not a photo",
            actor=HONGLAI_STAFF,
            max_bytes=25 * MB,
            max_distance_m=100.0,
        )
    assert bad.value.code == "evidence.type_photo"
    with store.reading() as session:
        assert [e.id for e in list_evidence(session, county["P0000"])] == [new.id]
    assert len(_files(files)) == 1
    # A document is replaced by a document.
    doc = _add(store, files, county["P0000"], minimal_pdf(), "批文.pdf", kind="document")
    with pytest.raises(InputError) as wrong:
        replace_evidence(
            store,
            files,
            doc,
            filename="x.heic",
            data=field_photo("HEIF"),
            actor=HONGLAI_STAFF,
            max_bytes=25 * MB,
            max_distance_m=100.0,
        )
    assert wrong.value.code == "evidence.type_document"


def test_note_is_written_and_recorded(store: Store, county: dict[str, int], tmp_path: Path) -> None:
    files = tmp_path / "files"
    pid = _add(store, files, county["P0000"], field_photo(), "全景.jpg")
    item = set_evidence_note(store, pid, note="  =1+1 <b>东侧</b>\x07 ", actor=HONGLAI_STAFF)
    assert item.note == "=1+1 <b>东侧</b>"  # kept as text; the page escapes it, exports quote it
    set_evidence_note(store, pid, note="=1+1 <b>东侧</b>", actor=HONGLAI_STAFF)  # unchanged: no new event
    notes = [p for a, p in _events(store, county["P0000"]) if a == "evidence.note"]
    assert notes == [{"attachment_id": pid, "name": "全景.jpg", "old": None, "new": "=1+1 <b>东侧</b>"}]


def test_nothing_changes_after_submission(store: Store, county: dict[str, int], tmp_path: Path) -> None:
    files = tmp_path / "files"
    pid = _add(store, files, county["P0000"], field_photo(), "全景.jpg", note="东侧")
    with store.writing() as session:
        patch = find_patch(session, "P0000")
        workflow.save_determination(session, patch, illegal(), actor=HONGLAI_STAFF, rules=RULES, on=TODAY)
        workflow.submit(session, find_patch(session, "P0000"), actor=HONGLAI_STAFF)
    before = _events(store, county["P0000"])
    for actor in (HONGLAI_STAFF, REVIEWER):
        for change in (
            lambda a=actor: withdraw_evidence(store, files, pid, actor=a),
            lambda a=actor: set_evidence_note(store, pid, note="改", actor=a),
            lambda a=actor: replace_evidence(
                store,
                files,
                pid,
                filename="新.jpg",
                data=photo(colour=(9, 9, 9)),
                actor=a,
                max_bytes=25 * MB,
                max_distance_m=100.0,
            ),
        ):
            with pytest.raises(InputError) as refused:
                change()
            assert refused.value.code == "evidence.frozen" and refused.value.params["state_label"] == "已提交"
    with store.reading() as session:
        (item,) = list_evidence(session, county["P0000"])
    assert item.note == "东侧" and len(_files(files)) == 1 and _events(store, county["P0000"]) == before


def test_deleting_a_reused_photo_clears_the_other_copy(
    store: Store, county: dict[str, int], tmp_path: Path
) -> None:
    files = tmp_path / "files"
    data = field_photo()
    _add(store, files, county["P0000"], data, "全景.jpg")
    copy = _add(store, files, county["P0001"], data, "全景.jpg", actor=REVIEWER)
    with store.reading() as session:
        (first,) = list_evidence(session, county["P0000"])
    assert {c["code"]: c["passed"] for c in first.checks}["not_reused"] is False
    withdraw_evidence(store, files, copy, actor=REVIEWER)
    with store.reading() as session:
        (first,) = list_evidence(session, county["P0000"])
    assert {c["code"]: c["passed"] for c in first.checks}["not_reused"] is True


def test_gaps_count_missing_photos_per_rule_data_and_name_failed_ones(
    store: Store, county: dict[str, int], tmp_path: Path
) -> None:
    files = tmp_path / "files"
    table = RULES.tables(TODAY)
    assert table.photos_needed("违法") == 2 and table.photos_needed("伪变化") == 1
    assert table.photos_needed(None) == table.photos_needed("未知") == 1  # the default
    with store.reading() as session:
        assert evidence_gaps(list_evidence(session, county["P0000"]), table.photos_needed("伪变化")) == [
            {"code": "evidence.gap.missing", "params": {"count": 0, "required": 1}}
        ]
    _add(store, files, county["P0000"], field_photo(), "全景.jpg")
    _add(store, files, county["P0000"], field_photo(dx=50, dy=1500, colour=(1, 99, 1)), "远处.jpg")
    _add(store, files, county["P0000"], minimal_pdf(), "批文.pdf", kind="document")  # not a photo
    with store.reading() as session:
        items = list_evidence(session, county["P0000"])
    assert evidence_gaps(items, 2) == [
        {"code": "evidence.gap.failed", "params": {"name": "远处.jpg", "checks": "拍摄位置"}}
    ]
    assert evidence_gaps(items, 3)[0] == {
        "code": "evidence.gap.missing",
        "params": {"count": 2, "required": 3},
    }
