"""Field evidence (举证): photos with their automatic checks, and approval documents.

``add_evidence`` checks who may upload (township staff for their own township's patches, 市局
roles for any; 领导 and 部门联络员 never), the real file type for the kind, the size, reads the
photo's EXIF and checks it against the patch, writes the file atomically under a generated
name and inserts the row; if the row cannot be written the file is removed again. Military-
restricted patches are, as everywhere, for 市局 roles only: to anyone else they do not exist.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import shapely
from sqlalchemy.orm import Session

from weipian.analysis.evidence import photo_checks, reuse_check
from weipian.domain.fields import field_date
from weipian.domain.roles import Actor
from weipian.domain.workflow import OPEN_STATES, STATE_LABELS, Action, State
from weipian.errors import InputError, NotFound, PermissionDenied
from weipian.io.exif import FileType, PhotoInfo, check_pdf, preview_jpeg, read_photo, sniff
from weipian.messages.labels import PHOTO_CHECK_LABELS
from weipian.services.workflow import record_evidence_change, record_field_check
from weipian.storage.evidence import (
    delete_attachment,
    evidence_dir,
    get_attachment,
    insert_attachment,
    is_ledger_file,
    list_attachments,
    new_stored_name,
    patches_with_file,
    photos_with_file,
    preview_path,
    set_checks,
    set_note,
    utc_now,
    write_file,
)
from weipian.storage.patches import patch_by_id
from weipian.storage.records import Attachment, Patch
from weipian.storage.store import Store
from weipian.storage.workflow import current_determination

KINDS = ("photo", "document")
ALLOWED: dict[str, tuple[FileType, ...]] = {
    "photo": (FileType.jpeg, FileType.png, FileType.heic),
    "document": (FileType.pdf, FileType.jpeg, FileType.png),
}
NAME_MAX = 255


# The pages' name for an attachment record (storage builds it, with its checks).
Evidence = Attachment


def clean_name(filename: str) -> str:
    """The uploaded name without any folder part or control characters, at most 255 characters.

    >>> clean_name("C:\\\\fakepath\\\\现场 1.jpg"), clean_name("../../etc/passwd"), clean_name("")
    ('现场 1.jpg', 'passwd', '未命名')
    """
    name = re.split(r"[\\/]", filename or "")[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip() or "未命名"
    if len(name) > NAME_MAX:
        _stem, dot, ext = name.rpartition(".")
        ext = ext if dot and len(ext) <= 10 else ""
        name = name[: NAME_MAX - len(ext) - 1] + "." + ext if ext else name[:NAME_MAX]
    return name


def _patch(session: Session, patch_id: int) -> Patch:
    row = patch_by_id(session, patch_id)
    if row is None:
        raise NotFound("patch.no_such_id", id=patch_id)
    return row


def _check_actor(patch: Patch, actor: Actor, action: Action = Action.field_check_record) -> None:
    if patch.restricted and not actor.role.is_bureau:
        raise NotFound("patch.no_such_id", id=patch.id)  # as the pages: a restricted patch is unseen
    if not actor.may(action, patch.township_code):
        raise PermissionDenied("permission.denied", action=action.value, code=patch.patch_code)


def check_upload(filename: str, data: bytes, *, kind: str, max_bytes: int) -> FileType:
    """The file's real type if ``kind`` allows it and it fits; ``InputError`` otherwise."""
    name = clean_name(filename)
    if kind not in KINDS:
        raise InputError("evidence.kind", kind=kind)
    if not data:
        raise InputError("evidence.empty", name=name)
    if len(data) > max_bytes:
        raise InputError(
            "evidence.too_large",
            name=name,
            size_mb=f"{len(data) / 2**20:.1f}",
            limit_mb=f"{max_bytes / 2**20:g}",
        )
    ftype = sniff(data)
    if ftype not in ALLOWED[kind]:
        raise InputError(f"evidence.type_{kind}", name=name)
    return ftype


@dataclass(frozen=True)
class Upload:
    """An upload checked before any transaction: its clean name, real type, EXIF and hash."""

    name: str
    kind: str
    ftype: FileType
    data: bytes
    info: PhotoInfo | None
    sha: str
    preview: bytes | None  # a small JPEG made once, here, within a fixed memory bound


def prepare_upload(filename: str, data: bytes, *, kind: str, max_bytes: int) -> Upload:
    """Check type and size and read a photo's EXIF, outside any transaction; ``InputError`` if bad."""
    ftype = check_upload(filename, data, kind=kind, max_bytes=max_bytes)
    name = clean_name(filename)
    info: PhotoInfo | None = None
    preview: bytes | None = None
    if ftype is FileType.pdf:
        check_pdf(data, name)
    else:
        try:
            photo = read_photo(data)  # refuses a picture declaring too many pixels, undecoded
            preview = preview_jpeg(data)
        except InputError as exc:
            if exc.code == "evidence.too_many_pixels":
                raise InputError(exc.code, name=name, **exc.params) from exc
            raise InputError("evidence.unreadable_file", name=name) from exc
        info = photo if kind == "photo" else None  # a scanned document's EXIF is not evidence
    return Upload(name, kind, ftype, data, info, hashlib.sha256(data).hexdigest(), preview)


def attach(
    session: Session,
    files_dir: Path,
    patch: Patch,
    *,
    upload: Upload,
    uploader: str,
    max_distance_m: float,
    note: str | None,
    written: list[Path],
) -> Evidence:
    """Write the file and its row with the photo's checks, in the caller's transaction.

    The written path is appended to ``written``: the caller removes it if the transaction fails.
    """
    holders = patches_with_file(session, upload.sha)
    if any(h.id == patch.id for h in holders):
        raise InputError("evidence.duplicate", name=upload.name)
    checks: list[dict[str, Any]] | None = None
    info = upload.info
    if info is not None:
        checks = [
            c.as_dict()
            for c in photo_checks(
                lon=info.lon, lat=info.lat, azimuth=info.azimuth, taken_at=info.taken_at,
                patch=shapely.from_wkb(patch.wkb), after=field_date(patch.after_date),
                max_distance_m=max_distance_m, reused_on=[h.patch_code for h in holders],
            )
        ]  # fmt: skip
    stored = new_stored_name(upload.ftype.value)
    written.append(write_file(evidence_dir(files_dir), stored, upload.data))
    if upload.preview is not None:
        target = preview_path(files_dir, stored)
        written.append(write_file(target.parent, target.name, upload.preview))
    new_id = insert_attachment(
        session, patch_id=patch.id, kind=upload.kind, original_name=upload.name, stored_name=stored,
        content_type=upload.ftype.content_type, size=len(upload.data), sha256=upload.sha,
        uploaded_by=uploader, uploaded_at=utc_now(),
        taken_at=info.taken_at.astimezone(dt.UTC) if info and info.taken_at else None,
        lon=info.lon if info else None, lat=info.lat if info else None,
        azimuth=info.azimuth if info else None, checks=checks,
        note=(note or "").strip()[:NAME_MAX] or None,
    )  # fmt: skip
    _flag_earlier_copies(session, upload.sha)
    row = get_attachment(session, new_id)
    assert row is not None
    return row


def add_evidence(
    store: Store,
    files_dir: Path,
    patch_id: int,
    *,
    filename: str,
    data: bytes,
    kind: str,
    actor: Actor,
    max_bytes: int,
    max_distance_m: float,
    note: str | None = None,
) -> Evidence:
    """Store one photo or document for the patch, with the photo's checks; returns it."""
    with store.reading() as session:
        _check_actor(_patch(session, patch_id), actor)
    upload = prepare_upload(filename, data, kind=kind, max_bytes=max_bytes)
    written: list[Path] = []
    try:
        with store.writing() as session:
            patch = _patch(session, patch_id)
            _check_actor(patch, actor)
            ev = attach(
                session, files_dir, patch, upload=upload, uploader=actor.name, max_distance_m=max_distance_m,
                note=note, written=written,
            )  # fmt: skip
            # In the unalterable history too; like any field-check step it is refused once the
            # determination has gone up (补充举证 then needs a return).
            record_field_check(
                session, patch, summary=_history_note(kind, upload.name, ev.checks or None), actor=actor
            )
            return ev
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise


def _flag_earlier_copies(session: Session, sha: str) -> None:
    """The same photo on other patches: each copy's reuse check names all the others, so the
    reviewer of the earlier patch sees it too (and its review-queue badge counts it)."""
    holders = {h.id: h.patch_code for h in patches_with_file(session, sha)}
    for photo in photos_with_file(session, sha):
        others = [code for pid, code in holders.items() if pid != photo.patch_id]
        checks = [
            reuse_check(others).as_dict() if c.get("code") == "not_reused" else c for c in photo.checks or []
        ]
        if checks != (photo.checks or []):
            set_checks(session, photo.id, checks)


def _history_note(kind: str, name: str, checks: list[dict[str, Any]] | None) -> dict[str, Any]:
    """The upload in the event log as a code (``event.<kind>_upload…``), worded at the edge."""
    if checks is None:
        return {"code": f"event.{kind}_upload", "params": {"name": name}}
    failed = sum(1 for c in checks if c["passed"] is False)
    if failed:
        return {"code": f"event.{kind}_upload_failed", "params": {"name": name, "failed": failed}}
    return {"code": f"event.{kind}_upload_checked", "params": {"name": name}}


def list_evidence(session: Session, patch_id: int) -> list[Evidence]:
    """The patch's photos (with their checks) and documents; the caller has checked the scope."""
    return list_attachments(session, patch_id)


def get_evidence(session: Session, attachment_id: int) -> tuple[Evidence, str]:
    """An attachment and its stored file name; ``NotFound`` when there is none."""
    row = get_attachment(session, attachment_id)
    if row is None:
        raise NotFound("evidence.not_found", id=attachment_id)
    return row, row.stored_name


def evidence_path(files_dir: Path, stored_name: str) -> Path:
    """Where a stored evidence file lives."""
    return evidence_dir(files_dir) / stored_name


# --- before submission: withdraw, replace, note ------------------------------------------------
def _changeable(
    session: Session, attachment_id: int, actor: Actor, action: Action
) -> tuple[Attachment, Patch]:
    """The attachment and its patch, if ``actor`` may still change it: the patch's own township
    (or a 市局 role), the patch not yet submitted, and not a ledger file; refused otherwise."""
    row = get_attachment(session, attachment_id)
    if row is None:
        raise NotFound("evidence.not_found", id=attachment_id)
    patch = _patch(session, row.patch_id)
    _check_actor(patch, actor, action)
    if State(patch.state) not in OPEN_STATES or is_ledger_file(session, attachment_id):
        raise InputError(
            "evidence.frozen", name=row.original_name, state_label=STATE_LABELS[State(patch.state)]
        )
    return row, patch


def _withdraw(session: Session, row: Attachment, patch: Patch, actor: Actor, replaced_by: str | None) -> None:
    """Delete the row and keep what it was in the history (name, hash, checks, note)."""
    payload: dict[str, Any] = {
        "attachment_id": row.id, "kind": row.kind, "name": row.original_name, "sha256": row.sha256,
        "size": row.size, "uploaded_by": row.uploaded_by, "uploaded_at": row.uploaded_at.isoformat(),
        "checks": row.checks or None, "note": row.note,  # None: a document (never checked)
    }  # fmt: skip
    if replaced_by is not None:
        payload["replaced_by"] = replaced_by
    record_evidence_change(session, patch, Action.evidence_withdraw, payload, actor=actor)
    delete_attachment(session, row.id)
    _flag_earlier_copies(session, row.sha256)  # the other copies no longer name this patch


def _remove_files(files_dir: Path, stored_name: str) -> None:
    """A withdrawn attachment's file and preview: the store keeps no file without a row."""
    evidence_path(files_dir, stored_name).unlink(missing_ok=True)
    preview_path(files_dir, stored_name).unlink(missing_ok=True)


def withdraw_evidence(store: Store, files_dir: Path, attachment_id: int, *, actor: Actor) -> Evidence:
    """Delete a photo or document before the determination is submitted; returns what it was.

    The event keeps its name, SHA-256, checks and note; the file is removed once the row is gone.
    After submission nothing is deleted (``evidence.frozen``).
    """
    with store.writing() as session:
        row, patch = _changeable(session, attachment_id, actor, Action.evidence_withdraw)
        _withdraw(session, row, patch, actor, None)
        gone = row
    _remove_files(files_dir, str(row.stored_name))
    return gone


def replace_evidence(
    store: Store, files_dir: Path, attachment_id: int, *, filename: str, data: bytes, actor: Actor,
    max_bytes: int, max_distance_m: float, note: str | None = None,
) -> Evidence:  # fmt: skip
    """Replace a photo or document by a new file of the same kind, in one transaction: the old
    one is withdrawn (its event names the new file), the new one checked and stored; the old
    note is kept unless a new one is given."""
    with store.reading() as session:
        row, _ = _changeable(session, attachment_id, actor, Action.evidence_withdraw)
    upload = prepare_upload(filename, data, kind=row.kind, max_bytes=max_bytes)
    written: list[Path] = []
    try:
        with store.writing() as session:
            row, patch = _changeable(session, attachment_id, actor, Action.evidence_withdraw)
            _withdraw(session, row, patch, actor, upload.name)
            patch = _patch(session, patch.id)  # its state moved
            ev = attach(
                session, files_dir, patch, upload=upload, uploader=actor.name, max_distance_m=max_distance_m,
                note=(note or "").strip() or row.note, written=written,
            )  # fmt: skip
            record_field_check(
                session, patch, summary=_history_note(row.kind, upload.name, ev.checks or None), actor=actor
            )
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    _remove_files(files_dir, str(row.stored_name))
    return ev


def set_evidence_note(store: Store, attachment_id: int, *, note: str, actor: Actor) -> Evidence:
    """Write (or clear) a photo's or document's note before submission; the event keeps both."""
    text = "".join(ch for ch in note if ch.isprintable()).strip()[:NAME_MAX] or None
    with store.writing() as session:
        row, patch = _changeable(session, attachment_id, actor, Action.evidence_note)
        if text != row.note:
            payload = {"attachment_id": row.id, "name": row.original_name, "old": row.note, "new": text}
            record_evidence_change(session, patch, Action.evidence_note, payload, actor=actor)
            set_note(session, row.id, text)
        updated = get_attachment(session, row.id)
        assert updated is not None
        return updated


# --- what a submission still lacks -------------------------------------------------------------
def evidence_gaps(items: list[Evidence], required: int) -> list[dict[str, Any]]:
    """Photo problems to show before submitting, as codes with parameters (the edge words them):
    fewer photos than ``required`` (rule data ``photos_required``), and each photo whose checks
    failed, with the failed checks' names."""
    photos = [e for e in items if e.is_photo]
    out: list[dict[str, Any]] = []
    if len(photos) < required:
        out.append({"code": "evidence.gap.missing", "params": {"count": len(photos), "required": required}})
    for e in photos:
        failed = [PHOTO_CHECK_LABELS.get(c["code"], c["code"]) for c in e.checks if c.get("passed") is False]
        if failed:
            params = {"name": e.original_name, "checks": "、".join(failed)}
            out.append({"code": "evidence.gap.failed", "params": params})
    return out


def submission_gaps(
    session: Session, patch_id: int, rules: Any, on: dt.date, verdict: str | None = None
) -> list[dict[str, Any]]:
    """The photo problems a submission of the patch's determination (``verdict``, else its current
    one) would carry: what the web page warns about and the CLI prints, from the same rule data."""
    if verdict is None:
        current = current_determination(session, patch_id)
        verdict = current.verdict if current is not None else None
    return evidence_gaps(list_evidence(session, patch_id), rules.tables(on).photos_needed(verdict))
