"""Queries on the images table (registered imagery, one row per COG under ``<files dir>/imagery``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, insert, select
from sqlalchemy.orm import Session

from weipian.storage.records import AnyRow
from weipian.storage.tables import images

BBox = tuple[float, float, float, float]


@dataclass(frozen=True, slots=True)
class ImageInfo:
    """One registered image (``images``), as the CLI and the web show it."""

    id: int
    phase: str
    taken_on: dt.date
    name: str
    stored_name: str
    sha256: str
    crs: str
    width: int
    height: int
    bands: int
    bounds: BBox  # lon/lat: west, south, east, north
    added_by: str
    added_at: dt.datetime

    @classmethod
    def of(cls, row: AnyRow) -> ImageInfo:
        return cls(
            row.id, row.phase, row.taken_on, row.name, row.stored_name, row.sha256, row.crs, row.width,
            row.height, row.bands, (row.minx, row.miny, row.maxx, row.maxy), row.added_by, row.added_at,
        )  # fmt: skip


def insert_image(
    session: Session,
    *,
    phase: str,
    taken_on: dt.date,
    name: str,
    stored_name: str,
    sha256: str,
    crs: str,
    width: int,
    height: int,
    bands: int,
    bounds: BBox,
    added_by: str,
    at: dt.datetime,
) -> int:
    """Add one image row; returns its id."""
    minx, miny, maxx, maxy = bounds
    new_id = session.execute(
        insert(images)
        .values(
            phase=phase, taken_on=taken_on, name=name, stored_name=stored_name, sha256=sha256, crs=crs,
            width=width, height=height, bands=bands, minx=minx, miny=miny, maxx=maxx, maxy=maxy,
            added_by=added_by, added_at=at,
        )
        .returning(images.c.id)
    ).scalar_one()  # fmt: skip
    return int(new_id)


def all_images(session: Session) -> list[ImageInfo]:
    """Every image, by phase (before first), date and id."""
    order = (images.c.phase.desc(), images.c.taken_on, images.c.id)  # "before" > "after"
    return [ImageInfo.of(r) for r in session.execute(select(images).order_by(*order))]


def image_by_id(session: Session, image_id: int) -> ImageInfo | None:
    row = session.execute(select(images).where(images.c.id == image_id)).first()
    return None if row is None else ImageInfo.of(row)


def image_by_hash(session: Session, sha256: str, phase: str) -> ImageInfo | None:
    """The image of ``phase`` registered from a file with this content, if any."""
    query = select(images).where(images.c.sha256 == sha256, images.c.phase == phase).order_by(images.c.id)
    row = session.execute(query).first()
    return None if row is None else ImageInfo.of(row)


def images_covering(session: Session, bbox: BBox, phase: str | None = None) -> list[ImageInfo]:
    """Images whose lon/lat box meets ``bbox`` (minx, miny, maxx, maxy), optionally of one phase."""
    minx, miny, maxx, maxy = (float(v) for v in bbox)
    meets = and_(images.c.minx <= maxx, images.c.maxx >= minx, images.c.miny <= maxy, images.c.maxy >= miny)
    query = select(images).where(meets)
    if phase is not None:
        query = query.where(images.c.phase == phase)
    return [ImageInfo.of(r) for r in session.execute(query.order_by(images.c.id))]
