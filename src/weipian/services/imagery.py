"""Imagery: register a GeoTIFF as a COG (``weipian imagery add``), list it, choose it for a patch.

The slow conversion runs before the write transaction; the row goes in afterwards, and the COG
is removed again if that write fails, so a refused or failed registration leaves nothing behind.
Files are stored as ``<files dir>/imagery/<uuid hex>.tif`` and found again only by image id.
"""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum
from pathlib import Path

from sqlalchemy.orm import Session

from weipian.domain import clock
from weipian.domain.fields import field_date
from weipian.errors import Conflict, InputError, NotFound
from weipian.io.imagery import to_cog
from weipian.io.readers import file_hash
from weipian.storage.imagery import (
    BBox,
    ImageInfo,
    all_images,
    image_by_hash,
    image_by_id,
    images_covering,
    insert_image,
)
from weipian.storage.store import Store

__all__ = [
    "IMAGERY_DIR",
    "ImageInfo",
    "Phase",
    "add_image",
    "get_image",
    "image_file",
    "imagery_for",
    "list_images",
]

IMAGERY_DIR = "imagery"


class Phase(StrEnum):
    """Which side of the comparison an image shows."""

    before = "before"  # 前时相
    after = "after"  # 后时相

    @property
    def label(self) -> str:
        return "前时相" if self is Phase.before else "后时相"


def image_file(files_dir: Path, stored_name: str) -> Path:
    """Where the COG of an image lives."""
    return Path(files_dir) / IMAGERY_DIR / stored_name


def _phase(value: str) -> Phase:
    try:
        return Phase(value)
    except ValueError:
        raise InputError("imagery.phase", phase=value) from None


def _refuse_duplicate(session: Session, digest: str, phase: Phase, path: Path) -> None:
    earlier = image_by_hash(session, digest, phase.value)
    if earlier is not None:
        raise Conflict(
            "imagery.duplicate", path=str(path), id=earlier.id, phase_label=phase.label, name=earlier.name
        )


def add_image(
    store: Store, files_dir: Path, path: Path, *, phase: str, taken_on: dt.date, actor_name: str
) -> ImageInfo:
    """Convert ``path`` to a COG in ``files_dir/imagery`` and register it for ``phase``.

    The same file (by SHA-256 of its content) registered again for the same phase is refused.
    """
    path, kind = Path(path), _phase(phase)
    if not path.is_file():
        raise InputError("imagery.not_found", path=str(path))
    digest = file_hash(path)
    with store.reading() as session:
        _refuse_duplicate(session, digest, kind, path)
    stored_name = f"{uuid.uuid4().hex}.tif"
    target = image_file(files_dir, stored_name)
    facts = to_cog(path, target)
    try:
        with store.writing() as session:
            _refuse_duplicate(session, digest, kind, path)  # registered meanwhile by someone else
            new_id = insert_image(
                session, phase=kind.value, taken_on=taken_on, name=path.name[:255], stored_name=stored_name,
                sha256=digest, crs=facts.crs, width=facts.width, height=facts.height, bands=facts.bands,
                bounds=facts.bounds, added_by=actor_name, at=clock.now(),
            )  # fmt: skip
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    with store.reading() as session:
        return get_image(session, new_id)


def get_image(session: Session, image_id: int) -> ImageInfo:
    """One image by id; :class:`NotFound` if there is none."""
    row = image_by_id(session, image_id)
    if row is None:
        raise NotFound("imagery.no_such_id", id=image_id)
    return row


def list_images(session: Session) -> list[ImageInfo]:
    """Every registered image: before ones first, then by date."""
    return all_images(session)


def _best(rows: list[ImageInfo], wanted: dt.date | None) -> ImageInfo | None:
    """Closest in date to ``wanted`` (the later one on a tie), else the most recent."""
    if not rows:
        return None
    if wanted is None:
        chosen = max(rows, key=lambda r: (r.taken_on, r.id))
    else:
        chosen = min(rows, key=lambda r: (abs((r.taken_on - wanted).days), -r.taken_on.toordinal(), -r.id))
    return chosen


def imagery_for(
    session: Session, bbox: BBox, *, before_date: str | dt.date | None, after_date: str | dt.date | None
) -> dict[str, ImageInfo | None]:
    """The best before and after images meeting ``bbox`` (lon/lat) for a patch's QSX and HSX.

    Dates may be ``YYYYMMDD`` strings as delivered; a missing or unreadable date picks the most
    recent image of that phase.
    """
    rows = images_covering(session, bbox)
    return {
        Phase.before.value: _best(
            [r for r in rows if r.phase == Phase.before.value], field_date(before_date)
        ),
        Phase.after.value: _best([r for r in rows if r.phase == Phase.after.value], field_date(after_date)),
    }
