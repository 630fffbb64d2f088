"""Field evidence through the service, on SQLite and PostGIS: files, rows, checks, refusals."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import text

from factories import HONGLAI, HONGMEI, small_county
from photos import field_photo, gk_lonlat, minimal_pdf, photo
from weipian.domain.roles import Actor, Role
from weipian.errors import InputError, NotFound, PermissionDenied
from weipian.messages import check_text, message
from weipian.services.evidence import add_evidence, list_evidence
from weipian.storage.evidence import failed_check_counts
from weipian.storage.store import Store
from weipian.storage.workflow import find_patch

MB = 2**20
HONGLAI_STAFF = Actor("honglai", Role.township, HONGLAI)
HONGMEI_STAFF = Actor("hongmei", Role.township, HONGMEI)
REVIEWER = Actor("reviewer", Role.bureau_reviewer)


@pytest.fixture
def county(store: Store, tmp_path: Path) -> dict[str, int]:
    small_county(store, tmp_path / "county")
    with store.reading() as session:
        return {code: find_patch(session, code).id for code in ("P0000", "P0001", "P0002")}


def _add(
    store: Store, files: Path, patch_id: int, data: bytes, name: str = "现场.jpg", **kw: object
) -> object:
    values: dict[str, object] = {
        "kind": "photo", "actor": HONGLAI_STAFF, "max_bytes": 25 * MB, "max_distance_m": 100.0, **kw,
    }  # fmt: skip
    return add_evidence(store, files, patch_id, filename=name, data=data, **values)  # type: ignore[arg-type]


def _stored(files: Path) -> list[Path]:
    folder = files / "evidence"
    return sorted(p for p in folder.iterdir() if p.is_file()) if folder.exists() else []


@pytest.mark.parametrize(("fmt", "ext"), [("JPEG", "jpg"), ("PNG", "png"), ("HEIF", "heic")])
def test_photo_is_stored_with_its_exif_and_checks(
    store: Store, county: dict[str, int], tmp_path: Path, fmt: str, ext: str
) -> None:
    files = tmp_path / "files"
    data = field_photo(fmt)
    _add(store, files, county["P0000"], data, name=f"C:\\fakepath\\东侧.{ext}", note="东侧全景")
    with store.reading() as session:
        (item,) = list_evidence(session, county["P0000"])
    assert item.kind == "photo" and item.original_name == f"东侧.{ext}" and item.note == "东侧全景"
    assert item.size == len(data) and item.uploaded_by == "honglai"
    assert item.taken_at == dt.datetime(2022, 10, 8, 2, 30, tzinfo=dt.UTC)  # 10:30 Beijing time
    lon, lat = gk_lonlat(50, 50)
    assert item.lon == pytest.approx(lon, abs=1e-6) and item.lat == pytest.approx(lat, abs=1e-6)
    assert item.azimuth == pytest.approx(135.0)
    assert [(c["code"], c["passed"]) for c in item.checks] == [
        ("position", True), ("time", True), ("direction", True), ("not_reused", True),
    ]  # fmt: skip
    (path,) = _stored(files)
    assert path.read_bytes() == data
    assert path.suffix == f".{ext}" and len(path.stem) == 32 and "东侧" not in path.name


def test_failed_checks_are_stored_and_counted(store: Store, county: dict[str, int], tmp_path: Path) -> None:
    files = tmp_path / "files"
    far = field_photo(dx=50, dy=400, taken=dt.datetime(2022, 8, 1, 9, 0), azimuth=None)
    _add(store, files, county["P0000"], far)
    _add(store, files, county["P0000"], photo(colour=(1, 2, 3)))  # no EXIF at all
    with store.reading() as session:
        items = list_evidence(session, county["P0000"])
        counts = failed_check_counts(session, county.values())
    first = {c["code"]: c for c in items[0].checks}
    assert first["position"]["passed"] is False and first["position"]["params"]["distance_m"] > 299
    assert first["time"]["passed"] is False and first["direction"]["passed"] is False
    assert [c["passed"] for c in items[1].checks] == [False, False, False, True]
    assert counts == {county["P0000"]: 6}


def test_same_photo_on_another_patch_fails_the_reuse_check(
    store: Store, county: dict[str, int], tmp_path: Path
) -> None:
    files = tmp_path / "files"
    data = field_photo()
    _add(store, files, county["P0000"], data)
    reused = _add(store, files, county["P0001"], data, actor=REVIEWER)
    reuse = {c["code"]: c for c in reused.checks}["not_reused"]  # type: ignore[attr-defined]
    assert (
        reuse["passed"] is False and "P0000" in check_text(reuse) and "detail" not in reuse
    )  # no words stored
    # Its position check fails too: it was taken at P0000, 700 m away.
    assert {c["code"]: c["passed"] for c in reused.checks}["position"] is False  # type: ignore[attr-defined]
    # The earlier copy is flagged too, naming the later patch, and counted for the review queue.
    with store.reading() as session:
        (first,) = list_evidence(session, county["P0000"])
        assert failed_check_counts(session, [county["P0000"]]) == {county["P0000"]: 1}
    earlier = {c["code"]: c for c in first.checks}["not_reused"]
    assert (
        earlier["passed"] is False and "P0001" in check_text(earlier) and "P0000" not in check_text(earlier)
    )
    with pytest.raises(InputError) as again:
        _add(store, files, county["P0000"], data)
    assert again.value.code == "evidence.duplicate"
    assert len(_stored(files)) == 2


def test_documents_pdf_and_images_but_no_heic(store: Store, county: dict[str, int], tmp_path: Path) -> None:
    files = tmp_path / "files"
    _add(store, files, county["P0000"], minimal_pdf(), name="批文.pdf", kind="document")
    _add(store, files, county["P0000"], field_photo(), name="批文扫描.jpg", kind="document")
    with pytest.raises(InputError) as heic:
        _add(store, files, county["P0000"], photo("HEIF"), name="批文.heic", kind="document")
    assert heic.value.code == "evidence.type_document"
    with store.reading() as session:
        docs = list_evidence(session, county["P0000"])
    assert [(d.kind, d.content_type, d.checks, d.lon) for d in docs] == [
        ("document", "application/pdf", [], None), ("document", "image/jpeg", [], None),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "data", "kind", "code"),
    [
        ("照片.jpg", b"this is text, renamed to .jpg\n", "photo", "evidence.type_photo"),
        ("批文.pdf", minimal_pdf(), "photo", "evidence.type_photo"),  # a PDF is not a photo
        ("空.jpg", b"", "photo", "evidence.empty"),
        ("坏.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 64, "photo", "evidence.unreadable_file"),
        ("x.jpg", b"\xff\xd8\xff", "video", "evidence.kind"),
    ],
)
def test_refused_files_leave_nothing(
    store: Store, county: dict[str, int], tmp_path: Path, name: str, data: bytes, kind: str, code: str
) -> None:
    files = tmp_path / "files"
    with pytest.raises(InputError) as refused:
        _add(store, files, county["P0000"], data, name=name, kind=kind)
    assert refused.value.code == code
    assert _stored(files) == []
    with store.reading() as session:
        assert list_evidence(session, county["P0000"]) == []


def test_size_limit(store: Store, county: dict[str, int], tmp_path: Path) -> None:
    files = tmp_path / "files"
    data = field_photo(size=(800, 600))
    with pytest.raises(InputError) as big:
        _add(store, files, county["P0000"], data, max_bytes=len(data) - 1)
    assert big.value.code == "evidence.too_large"
    _add(store, files, county["P0000"], data, max_bytes=len(data))
    assert len(_stored(files)) == 1


@pytest.mark.parametrize(
    ("actor", "patch", "error"),
    [
        (HONGMEI_STAFF, "P0000", PermissionDenied),  # another township's patch
        (Actor("leader", Role.leader), "P0000", PermissionDenied),
        (Actor("dept", Role.department), "P0000", PermissionDenied),
        (Actor("nobody", Role.township, None), "P0000", PermissionDenied),
        (HONGLAI_STAFF, "P0002", NotFound),  # military-restricted: not there for township staff
    ],
)
def test_who_may_not_upload(
    store: Store, county: dict[str, int], tmp_path: Path, actor: Actor, patch: str, error: type[Exception]
) -> None:
    files = tmp_path / "files"
    with pytest.raises(error):
        _add(store, files, county[patch], field_photo(), actor=actor)
    assert _stored(files) == []


def test_bureau_roles_upload_anywhere_including_restricted(
    store: Store, county: dict[str, int], tmp_path: Path
) -> None:
    files = tmp_path / "files"
    _add(store, files, county["P0001"], field_photo(colour=(1, 1, 1)), actor=REVIEWER)
    _add(
        store, files, county["P0002"], field_photo(colour=(2, 2, 2)), actor=Actor("admin", Role.bureau_admin)
    )
    assert len(_stored(files)) == 2


def test_unknown_patch(store: Store, county: dict[str, int], tmp_path: Path) -> None:
    with pytest.raises(NotFound):
        _add(store, tmp_path / "files", 987654, field_photo())


def _refuse_inserts(store: Store) -> None:
    """A real trigger that makes every insert into ``attachments`` fail."""
    with store.writing() as session:
        if store.dialect == "sqlite":
            session.execute(
                text(
                    "CREATE TRIGGER refuse_attachments BEFORE INSERT ON attachments "
                    "BEGIN SELECT RAISE(ABORT, 'refused by test'); END"
                )
            )
        else:
            session.execute(
                text(
                    "CREATE FUNCTION refuse_attachments() RETURNS trigger LANGUAGE plpgsql AS "
                    "$$ BEGIN RAISE EXCEPTION 'refused by test'; END $$"
                )
            )
            session.execute(
                text(
                    "CREATE TRIGGER refuse_attachments BEFORE INSERT ON attachments "
                    "FOR EACH ROW EXECUTE FUNCTION refuse_attachments()"
                )
            )


def test_no_file_is_left_when_the_insert_fails(store: Store, county: dict[str, int], tmp_path: Path) -> None:
    files = tmp_path / "files"
    _refuse_inserts(store)
    with pytest.raises(Exception, match="refused by test"):
        _add(store, files, county["P0000"], field_photo())
    assert _stored(files) == []
    assert list((files / "evidence").iterdir()) == []  # no temporary file either


def test_no_row_when_the_file_cannot_be_written(store: Store, county: dict[str, int], tmp_path: Path) -> None:
    files = tmp_path / "files"
    files.mkdir()
    (files / "evidence").write_text("a file where the folder should be")
    with pytest.raises(OSError):
        _add(store, files, county["P0000"], field_photo())
    with store.reading() as session:
        assert list_evidence(session, county["P0000"]) == []


def test_uploads_enter_the_history_and_stop_once_submitted(
    store: Store, county: dict[str, int], tmp_path: Path
) -> None:
    from test_workflow import RULES, TODAY, illegal

    from weipian.errors import TransitionRefused
    from weipian.services import workflow
    from weipian.storage.workflow import patch_events

    files = tmp_path / "files"
    _add(store, files, county["P0000"], field_photo("JPEG"), name="东侧.jpg")
    with store.reading() as session:
        (event,) = patch_events(session, county["P0000"])
    assert event.action == "field_check.record" and event.actor == "honglai"
    assert (event.state_before, event.state_after) == ("issued", "verifying")
    # A code with parameters in the log; the sentence is made where it is shown.
    assert event.payload["summary"] == {"code": "event.photo_upload_checked", "params": {"name": "东侧.jpg"}}
    assert message("event.photo_upload_checked", name="东侧.jpg") == "上传现场照片 东侧.jpg（自动核验通过）"
    with store.writing() as session:
        patch = find_patch(session, "P0000")
        workflow.save_determination(session, patch, illegal(), actor=HONGLAI_STAFF, rules=RULES, on=TODAY)
        workflow.submit(session, find_patch(session, "P0000"), actor=HONGLAI_STAFF)
    with pytest.raises(TransitionRefused):
        _add(store, files, county["P0000"], minimal_pdf(), name="批文.pdf", kind="document")
    with store.reading() as session:
        assert len(list_evidence(session, county["P0000"])) == 1
    assert len(_stored(files)) == 1  # the refused file was not kept
