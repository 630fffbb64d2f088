"""Queries on the event log, determinations and suggestions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert, select, text, update
from sqlalchemy.orm import Session

from weipian.domain.eventlog import GENESIS, event_hash
from weipian.domain.split import derived_parent_state
from weipian.domain.workflow import ACTION_LABELS, Action
from weipian.errors import Conflict, NotFound
from weipian.storage import splits
from weipian.storage.records import DeterminationVersion, Event, Patch
from weipian.storage.tables import determinations, events, patches

# What a split patch (被拆分) may still record: its parts carry the workflow from the split on.
SPLIT_PARENT_ACTIONS = frozenset({"split.create", "split.undo", "split.derive", "case.record"})


def find_patch(session: Session, code: str, *, source: str | None = None, year: int | None = None) -> Patch:
    """The patch with JCBH ``code`` (narrowed by source and year when several share it)."""
    rows = patches_with_code(session, code, source=source, year=year)
    if not rows:
        raise NotFound("patch.not_found", code=code)
    if len(rows) > 1:
        candidates = "、".join(f"{r.source}/{r.year}/{r.admin_code}" for r in rows)
        raise Conflict("patch.ambiguous", code=code, candidates=candidates)
    return rows[0]


def patches_with_code(
    session: Session, code: str, *, source: str | None = None, year: int | None = None,
    admin_code: str | None = None,
) -> list[Patch]:  # fmt: skip
    """Every patch with JCBH ``code``, narrowed by whichever of source, year and XZQDM are given."""
    query = select(patches).where(patches.c.patch_code == code)
    if source:
        query = query.where(patches.c.source == source)
    if year:
        query = query.where(patches.c.year == year)
    if admin_code:
        query = query.where(patches.c.admin_code == admin_code)
    return [Patch.of(r) for r in session.execute(query)]


EVENT_CHAIN_LOCK = 0x57E1A0  # pg_advisory_xact_lock key of the event chain


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
    """Append one event, chained to the last one's hash, and move the patch's cached state, in
    the caller's transaction (on PostgreSQL under a transaction lock, so two writers never
    chain to the same event; SQLite has one writer).

    A split patch refuses every other step (``split.parent_has_parts``); when a part's state
    moves, its parent follows (``split.derive``, appended here, so no service can forget it)."""
    if action not in SPLIT_PARENT_ACTIONS and splits.is_parent(session, patch_id):
        code = session.scalar(select(patches.c.patch_code).where(patches.c.id == patch_id))
        label = ACTION_LABELS.get(Action(action), action) if action in Action._value2member_map_ else action
        raise Conflict("split.parent_has_parts", code=code, action=action, action_label=label)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": EVENT_CHAIN_LOCK})
    at = at.astimezone(dt.UTC) if at.tzinfo is not None else at.replace(tzinfo=dt.UTC)  # stored as UTC
    prev = session.scalar(select(events.c.hash).order_by(events.c.id.desc()).limit(1)) or GENESIS
    digest = event_hash(
        prev, patch_id=patch_id, action=action, actor=actor, role=role, at=at,
        state_before=state_before, state_after=state_after, payload=payload,
    )  # fmt: skip
    event_id = session.execute(
        insert(events)
        .values(
            patch_id=patch_id, action=action, actor=actor, role=role, at=at,
            state_before=state_before, state_after=state_after, payload=payload, prev_hash=prev, hash=digest,
        )
        .returning(events.c.id)
    ).scalar_one()  # fmt: skip
    if state_after != state_before:
        session.execute(update(patches).where(patches.c.id == patch_id).values(state=state_after))
        _follow_parts(session, patch_id, action=action, actor=actor, role=role, at=at)
    return int(event_id)


def _follow_parts(
    session: Session, patch_id: int, *, action: str, actor: str, role: str, at: dt.datetime
) -> None:
    """Move a split patch to the state its parts derive (domain.split), with its own event."""
    parent_id = splits.parent_of(session, patch_id)
    if parent_id is None:
        return
    before = session.scalar(select(patches.c.state).where(patches.c.id == parent_id))
    after = derived_parent_state(splits.part_states(session, parent_id)).value
    if after == before:
        return
    part = session.scalar(select(patches.c.patch_code).where(patches.c.id == patch_id))
    append_event(
        session, patch_id=parent_id, action="split.derive", actor=actor, role=role, state_before=str(before),
        state_after=after, payload={"part": part, "action": action}, at=at,
    )  # fmt: skip


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


def current_determination(session: Session, patch_id: int) -> DeterminationVersion | None:
    row = session.execute(
        select(determinations)
        .where(determinations.c.patch_id == patch_id)
        .order_by(determinations.c.version.desc())
        .limit(1)
    ).first()
    return None if row is None else DeterminationVersion.of(row)


def event_by_id(session: Session, event_id: int) -> Event | None:
    row = session.execute(select(events).where(events.c.id == event_id)).first()
    return None if row is None else Event.of(row)


def patch_events(session: Session, patch_id: int) -> list[Event]:
    query = select(events).where(events.c.patch_id == patch_id).order_by(events.c.id)
    return [Event.of(r) for r in session.execute(query)]


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


@dataclass(frozen=True)
class BrokenEvent:
    """The first event whose chain does not hold, and why."""

    id: int
    patch_id: int
    action: str
    at: dt.datetime
    reason: str  # "hash" (its content changed) | "link" (an event before it changed or went)


def verify_chain(session: Session, chunk: int = 5000) -> tuple[int, BrokenEvent | None]:
    """Walk the event log in id order: (events checked, the first broken one or None)."""
    prev, last, checked = GENESIS, 0, 0
    while True:
        rows = session.execute(
            select(events).where(events.c.id > last).order_by(events.c.id).limit(chunk)
        ).all()
        if not rows:
            return checked, None
        for r in rows:
            checked += 1
            reason = None
            if r.prev_hash != prev:
                reason = "link"
            elif r.hash != event_hash(
                prev, patch_id=r.patch_id, action=r.action, actor=r.actor, role=r.role, at=r.at,
                state_before=r.state_before, state_after=r.state_after, payload=r.payload,
            ):  # fmt: skip
                reason = "hash"
            if reason:
                return checked, BrokenEvent(r.id, r.patch_id, r.action, r.at, reason)
            prev = r.hash
        last = rows[-1].id
