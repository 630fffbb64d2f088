"""Field evidence: attachment rows and their files under ``<files dir>/evidence``.

Files are written to a temporary name in the target directory, flushed to disk and renamed
(:func:`write_file`), so a crash never leaves a half-written file under a real name.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from weipian.domain import clock
from weipian.storage.records import Attachment
from weipian.storage.tables import attachments, ledger_files, patches

EVIDENCE_DIR = "evidence"


def evidence_dir(files_dir: Path) -> Path:
    """Where evidence files live under the files directory."""
    return files_dir / EVIDENCE_DIR


def preview_path(files_dir: Path, stored_name: str) -> Path:
    """Where the JPEG preview of a stored photo lives (made at upload)."""
    return files_dir / "previews" / (Path(stored_name).stem + ".jpg")


def new_stored_name(ext: str) -> str:
    """A generated file name, ``<uuid hex>.<ext>``: nothing of the uploaded name reaches the disk."""
    return f"{uuid.uuid4().hex}.{ext}"


def write_file(directory: Path, name: str, data: bytes) -> Path:
    """Write ``data`` to ``directory/name`` atomically (temp file, fsync, rename); returns the path."""
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / name
    tmp = directory / f".{name}.{uuid.uuid4().hex}.tmp"  # unique: two writers never share it
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(directory)
    return target


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # some platforms cannot open directories
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def insert_attachment(session: Session, **values: Any) -> int:
    """Insert one attachment row in the caller's transaction; returns its id."""
    new_id = session.execute(insert(attachments).values(**values).returning(attachments.c.id)).scalar_one()
    return int(new_id)


def get_attachment(session: Session, attachment_id: int) -> Attachment | None:
    row = session.execute(select(attachments).where(attachments.c.id == attachment_id)).first()
    return None if row is None else Attachment.of(row)


def delete_attachment(session: Session, attachment_id: int) -> None:
    """Remove an attachment row (a withdrawal before submission; the caller records the event)."""
    session.execute(delete(attachments).where(attachments.c.id == attachment_id))


def set_note(session: Session, attachment_id: int, note: str | None) -> None:
    session.execute(update(attachments).where(attachments.c.id == attachment_id).values(note=note))


def is_ledger_file(session: Session, attachment_id: int) -> bool:
    """Whether the attachment documents a ledger entry (those are never withdrawn)."""
    query = select(ledger_files.c.id).where(ledger_files.c.attachment_id == attachment_id)
    return session.execute(query).first() is not None


def list_attachments(session: Session, patch_id: int) -> list[Attachment]:
    """The patch's attachments, photos first, oldest upload first."""
    query = (
        select(attachments)
        .where(attachments.c.patch_id == patch_id)
        .order_by(attachments.c.kind.desc(), attachments.c.uploaded_at, attachments.c.id)
    )
    return [Attachment.of(r) for r in session.execute(query)]


def patches_with_file(session: Session, sha256: str) -> list[Any]:
    """(patch id, JCBH) of every patch that already has a file with this SHA-256."""
    query = (
        select(patches.c.id, patches.c.patch_code)
        .join(attachments, attachments.c.patch_id == patches.c.id)
        .where(attachments.c.sha256 == sha256)
        .distinct()
        .order_by(patches.c.patch_code)
    )
    return list(session.execute(query).all())


def photos_with_file(session: Session, sha256: str) -> list[Any]:
    """(id, patch id, checks) of every photo with this SHA-256."""
    query = select(attachments.c.id, attachments.c.patch_id, attachments.c.checks).where(
        attachments.c.sha256 == sha256, attachments.c.kind == "photo"
    )
    return list(session.execute(query.order_by(attachments.c.id)).all())


def set_checks(session: Session, attachment_id: int, checks: list[dict[str, Any]]) -> None:
    session.execute(update(attachments).where(attachments.c.id == attachment_id).values(checks=checks))


def failed_check_counts(session: Session, patch_ids: Iterable[int]) -> dict[int, int]:
    """Per patch, how many stored photo checks failed (``passed`` false); patches without any are absent."""
    ids = list(patch_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(attachments.c.patch_id, attachments.c.checks).where(
            attachments.c.patch_id.in_(ids), attachments.c.kind == "photo"
        )
    ).all()
    counts: dict[int, int] = {}
    for patch_id, checks in rows:
        failed = sum(1 for c in checks or [] if isinstance(c, dict) and c.get("passed") is False)
        if failed:
            counts[patch_id] = counts.get(patch_id, 0) + failed
    return counts


def utc_now() -> dt.datetime:
    return clock.now()
