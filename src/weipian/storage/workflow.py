"""Queries on the event log, determinations and suggestions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Row, func, insert, select, update
from sqlalchemy.orm import Session

from weipian.errors import Conflict, NotFound
from weipian.storage.tables import determinations, events, patches


def find_patch(
    session: Session, code: str, *, source: str | None = None, year: int | None = None
) -> Row[Any]:
    """The patch with JCBH ``code`` (narrowed by source and year when several share it)."""
    query = select(patches).where(patches.c.patch_code == code)
    if source:
        query = query.where(patches.c.source == source)
    if year:
        query = query.where(patches.c.year == year)
    rows = session.execute(query).all()
    if not rows:
        raise NotFound("patch.not_found", code=code)
    if len(rows) > 1:
        candidates = "、".join(f"{r.source}/{r.year}/{r.admin_code}" for r in rows)
        raise Conflict("patch.ambiguous", code=code, candidates=candidates)
    return rows[0]


def append_event(
    session: Session,
    *,
    patch_id: int,
    action: str,
    actor: str,
    role: str,
    state_before: str,
    state_after: str,
    payload: dict[str, Any],
    at: dt.datetime,
) -> int:
    """Append one event and move the patch's cached state, in the caller's transaction."""
    event_id = session.execute(
        insert(events)
        .values(
            patch_id=patch_id, action=action, actor=actor, role=role, at=at,
            state_before=state_before, state_after=state_after, payload=payload,
        )
        .returning(events.c.id)
    ).scalar_one()  # fmt: skip
    if state_after != state_before:
        session.execute(update(patches).where(patches.c.id == patch_id).values(state=state_after))
    return int(event_id)


def add_determination(
    session: Session, *, patch_id: int, event_id: int, data: dict[str, Any], at: dt.datetime
) -> int:
    """Store a new version of the patch's determination; returns the version."""
    latest = session.scalar(
        select(func.max(determinations.c.version)).where(determinations.c.patch_id == patch_id)
    )
    version = int(latest or 0) + 1
    session.execute(
        insert(determinations).values(
            patch_id=patch_id,
            version=version,
            event_id=event_id,
            verdict=data["verdict"],
            violation_type=data.get("violation_type"),
            farmland_housing=bool(data.get("farmland_housing")),
            data=data,
            created_at=at,
        )
    )
    return version


def current_determination(session: Session, patch_id: int) -> Row[Any] | None:
    return session.execute(
        select(determinations)
        .where(determinations.c.patch_id == patch_id)
        .order_by(determinations.c.version.desc())
        .limit(1)
    ).first()


def event_by_id(session: Session, event_id: int) -> Row[Any] | None:
    return session.execute(select(events).where(events.c.id == event_id)).first()


def patch_events(session: Session, patch_id: int) -> list[Row[Any]]:
    return list(session.execute(select(events).where(events.c.patch_id == patch_id).order_by(events.c.id)))


def latest_determinations() -> Any:
    """A subquery of each patch's current (highest-version) determination."""
    latest = (
        select(determinations.c.patch_id, func.max(determinations.c.version).label("version"))
        .group_by(determinations.c.patch_id)
        .subquery()
    )
    return (
        select(determinations)
        .join(
            latest,
            (latest.c.patch_id == determinations.c.patch_id) & (latest.c.version == determinations.c.version),
        )
        .subquery()
    )


def mining_signals(session: Session, patch_id: int) -> tuple[str | None, str | None]:
    """(SFSK as delivered, the rules' mineral suggestion) of a patch: either makes it a mineral patch."""
    from weipian.storage.tables import patches, suggestions

    sfsk = session.scalar(select(patches.c.is_mining).where(patches.c.id == patch_id))
    mineral = session.scalar(select(suggestions.c.mineral_verdict).where(suggestions.c.patch_id == patch_id))
    return sfsk, mineral
